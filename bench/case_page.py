"""The case page of the demo's longest SCR case (the most completed steps): its median server-side time as the
coordinator sees it, through the Flask test client. The demo is loaded once (``lif init`` and ``lif demo``) into
``--folder`` and kept there, so runs before and after a change read the same cases.

    python bench/case_page.py [--folder /tmp/lif-bench-demo] [--repeat 20]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from click.testing import CliRunner  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from demo import DEMO_PASSWORD  # noqa: E402
from engine.config import Config  # noqa: E402
from engine.store.db import make_engine, make_session_factory, transaction  # noqa: E402
from engine.store.models import HumanTask, ProcessInstance  # noqa: E402
from web import create_app  # noqa: E402
from web.cli import main  # noqa: E402

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"


def load_demo(folder: Path) -> str:
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    os.environ.update({"LIF_DATABASE_URL": url, "LIF_SECRET_KEY": "bench", "LIF_WORKFLOWS_DIR": str(WORKFLOWS),
                       "LIF_INSTANCE_DIR": str(folder / "instance")})
    if not (folder / "demo.sqlite3").exists():
        for command in ("init", "demo"):
            result = CliRunner().invoke(main, [command])
            assert result.exit_code == 0, (command, result.output, result.exception)
    return url


def longest_scr_case(url: str) -> tuple[str, int]:
    with transaction(make_session_factory(make_engine(url))) as s:
        steps = func.count(HumanTask.id)
        row = s.execute(select(ProcessInstance.id, steps).join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
                        .where(ProcessInstance.process_key == "scr", HumanTask.state == "completed")
                        .group_by(ProcessInstance.id).order_by(steps.desc()).limit(1)).one()
        return row[0], row[1]


def main_() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", default="/tmp/lif-bench-demo")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    url = load_demo(folder)
    case_id, steps = longest_scr_case(url)
    app = create_app(Config.from_env(database_url=url, secret_key="bench", workflows_dir=WORKFLOWS))
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.post("/sign-in", data={"username": "coordinator", "password": DEMO_PASSWORD})
    assert client.get(f"/cases/{case_id}").status_code == 200
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        client.get(f"/cases/{case_id}")
        times.append((time.perf_counter() - start) * 1000)
    print(f"case page of the longest demo SCR case ({steps} completed steps): median {statistics.median(times):.1f} ms,"
          f" best {min(times):.1f} ms over {args.repeat}")


if __name__ == "__main__":
    main_()
