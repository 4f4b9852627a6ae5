"""The worker ``make run`` starts keeps its log readable: no line per routine task, but every
failed task still printed with its traceback. Real worker processes on the test database."""

import subprocess
import sys

import pytest

from parabench import embedded
from parabench.notifications.tasks import notify_imported
from tests.uploads.conftest import ROOT

pytestmark = pytest.mark.slow


def _drain(argv: list[str], env) -> str:
    """Run a worker over what waits (``--batch``: it ends when the queue is empty); its log."""
    done = subprocess.run(
        [*argv, "--batch", "--no-startup-delay", "--interval", "0.1"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def _routine_and_failing():
    routine = notify_imported.enqueue(987654)  # no such import: "gone", a success
    failing = notify_imported.enqueue("geen nummer")  # not an id: ValueError, a failure
    return routine, failing


def test_the_worker_of_make_run_prints_a_failed_task_but_no_routine_one(
    transactional_db, child_env
):
    routine, failing = _routine_and_failing()
    (worker,) = [p for p in embedded.processes() if p.name == "worker"]
    log = _drain(worker.argv, child_env)
    assert f"Task id={failing.id} path={notify_imported.module_path} state=FAILED" in log
    assert "ValueError" in log and "Traceback" in log
    assert f"id={routine.id}" not in log
    assert "state=SUCCESSFUL" not in log and "state=RUNNING" not in log


def test_the_plain_worker_at_verbosity_0_would_hide_the_failure(transactional_db, child_env):
    # Why import_worker has its own 0: django-tasks-db's db_worker says nothing at all there.
    _routine, failing = _routine_and_failing()
    log = _drain(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--verbosity", "0"], child_env
    )
    assert f"id={failing.id}" not in log and "ValueError" not in log
