import os
import subprocess
import sys

import pytest

BOOT = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='parabench.settings'; django.setup()"
)


def boot(**env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", BOOT], env=full_env, capture_output=True, text=True
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = boot(DEBUG="0", ALLOWED_HOSTS="parabench.nl")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = boot(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_with_real_settings_starts():
    result = boot(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="parabench.nl")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_boolean_setting_with_a_bad_value_fails_loudly(value):
    result = boot(DEBUG=value)
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
