"""A done step's "Completed by" names its person by full name even after their account is deactivated (people
leave; their work stays on the case): the task's own picker keeps whoever holds or completed it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.store.db import transaction
from engine.store.models import User

from .test_web_long_forms import _fill_every_page, s11  # noqa: F401
from .web_kit import text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_a_leaver_is_still_named_on_their_completed_return(as_user, s11, factory):  # noqa: F811
    pat = as_user("pat")
    _fill_every_page(pat, s11)
    pat.post(f"/tasks/{s11}/check")
    with transaction(factory) as s:
        s.scalar(select(User).where(User.username == "pat")).active = False
    page = text(as_user("cora").get(f"/tasks/{s11}"))
    answers = page.split('id="answers"')[1].split('id="comments"')[0]
    assert "Pat Quinn" in answers and ">pat<" not in answers, answers[:1500]
