"""The import worker on a busy SQLite database: a write lock held longer than the busy timeout is
waited out, never the end of the worker (the first ``make run`` on a loaded machine died of it)."""

import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import connection

from parabench.uploads.models import Import
from tests.uploads.conftest import ROOT, start_worker, stop
from tests.uploads.factories import upload_export

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock"),
]
LOCK_SECONDS = 3  # three times the busy timeout the worker is given (busy_env)


def _hold_write_lock() -> sqlite3.Connection:
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=10)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def _wait_until(predicate, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def busy_env(child_env):
    return {**child_env, "SQLITE_BUSY_TIMEOUT": "1"}


def test_the_plain_task_worker_dies_of_a_locked_database(transactional_db, busy_env, tmp_path):
    """The failure the import worker guards against, shown on django-tasks-db's own worker."""
    holder = _hold_write_lock()
    try:
        process = subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"],
            env=busy_env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.rollback()
        holder.close()
    assert process.returncode != 0
    assert "database is locked" in process.stderr


def test_the_import_worker_waits_out_a_locked_database_and_imports_afterwards(
    transactional_db, busy_env, tmp_path, practice_a
):
    holder = _hold_write_lock()
    log = tmp_path / "worker.log"
    worker = start_worker(busy_env, log)
    try:
        # It runs into the lock (at its start-up sweep or when claiming a task) and says so ...
        assert _wait_until(lambda: "Database bezet" in log.read_text() or worker.poll(), 90)
        time.sleep(LOCK_SECONDS)  # ... and keeps waiting, however long the lock is held
        assert worker.poll() is None, log.read_text()
        holder.rollback()
        holder.close()
        holder = None
        imp = upload_export(practice_a)
        assert _wait_until(lambda: Import.objects.get(pk=imp.pk).status == "imported", 90)
        assert worker.poll() is None
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
        stop(worker)
