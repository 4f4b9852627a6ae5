"""The PostgreSQL half of `make test` leaves out only tests that cannot reach a database."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def collected(*paths: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        + ["--database-tests-only", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=True,
    )
    return {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}


def test_the_database_half_keeps_database_tests_and_child_processes_and_drops_the_rest():
    kept = collected(
        "tests/accounts/test_login.py",  # the db fixture
        "tests/coordination/test_views.py",  # a module world behind django_db_blocker
        "tests/test_settings.py",  # boots Django in child processes with the environment
        "tests/client/test_periods.py",  # the export client: no Django at all
        "tests/format/test_periods.py",  # the export format on values in memory
    )
    assert kept == {
        "tests/accounts/test_login.py",
        "tests/coordination/test_views.py",
        "tests/test_settings.py",
    }
