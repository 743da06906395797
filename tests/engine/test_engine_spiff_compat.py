"""The fence's version check: LIF refuses a SpiffWorkflow release its private reads were not written for, and
says what to do."""
from __future__ import annotations

from importlib.metadata import version

import pytest

from engine.spiff import compat
from tests.conftest import VERIFIED


def test_the_installed_release_is_the_one_compat_was_written_for():
    assert version("SpiffWorkflow") in compat.WRITTEN_FOR
    compat.check_version(version("SpiffWorkflow"))


@pytest.mark.parametrize("installed", ["3.1.1", "3.2.1", "4.0.0", "3.2.0rc1", ""])
def test_another_release_is_refused_with_a_clear_message(installed):
    with pytest.raises(compat.UnsupportedSpiffWorkflow) as refused:
        compat.check_version(installed)
    message = str(refused.value)
    assert f"SpiffWorkflow {installed} is installed" in message
    assert "SpiffWorkflow==3.2.0" in message and "engine/spiff/compat.py" in message


def test_private_reads_answer_what_the_public_properties_answer():
    """compat's reads agree with the library's public (slower) properties on a real task tree."""
    from engine.bundles.parsing import parse_bundle, read_bundle_dir
    from engine.spiff.adapter import Workflow
    from engine.spiff.state import SpecCache

    from .engine_kit import BUNDLES

    bundle = parse_bundle("simple_review", read_bundle_dir(BUNDLES / "simple_review"))
    specs = SpecCache().get((0, bundle.content_hash), lambda: bundle.spec_json)
    flow, _ = Workflow.start(specs, bundle.primary_process_id, {}, VERIFIED)
    for task in flow.wf.tasks.values():
        assert compat.parent_id(task) == (task.parent.id if task.parent is not None else None)
        assert compat.child_ids(task) == [child.id for child in task.children]
