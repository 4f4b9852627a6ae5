import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

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


def test_var_and_the_sqlite_database_are_private_to_the_user(tmp_path):
    """21 live session keys were once read from a 0644 database; now nobody else can open it."""
    var = tmp_path / "var"
    var.mkdir()
    var.chmod(0o755)  # an existing, too open var/ is tightened too
    # Migrate, then look at every file while the connection (and so its -wal and -shm) is open.
    script = (
        BOOT + "; import stat, pathlib; from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from django.db import connection; "
        "connection.cursor().execute('CREATE TABLE probe (x)'); "
        "var = pathlib.Path(os.environ['PARABENCH_VAR_DIR']); "
        "print({p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in [var, *var.iterdir()]})"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PARABENCH_VAR_DIR=str(var))
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    modes = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    assert modes["var"] == "0o700"
    files = {name: mode for name, mode in modes.items() if name.startswith("parabench.sqlite3")}
    assert set(files) == {"parabench.sqlite3", "parabench.sqlite3-wal", "parabench.sqlite3-shm"}
    assert set(files.values()) == {"0o600"}


def test_sqlite_commits_are_durable_against_a_power_cut(tmp_path):
    """WAL with synchronous=NORMAL may roll back a committed intake row; FULL (2) may not."""
    script = (
        BOOT + "; from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA synchronous'); print(c.fetchone()[0])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PARABENCH_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "2"


def _email_backend(**env) -> str:
    script = BOOT + "; from django.conf import settings; print(settings.EMAIL_BACKEND)"
    full_env = {k: v for k, v in os.environ.items() if k != "EMAIL_BACKEND"}
    full_env.update(env)
    result = subprocess.run([sys.executable, "-c", script], env=full_env, capture_output=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode().split()[-1].rsplit(".", 2)[-2]


def test_mail_with_links_never_goes_to_the_console_unless_asked_for():
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "parabench.nl"}
    assert _email_backend(**production) == "smtp"
    assert _email_backend(DEBUG="1") == "filebased"
    console = "django.core.mail.backends.console.EmailBackend"
    assert _email_backend(EMAIL_BACKEND=console, **production) == "console"


def test_production_is_https_only_by_default():
    script = (
        BOOT + "; from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)"
    )
    env = {k: v for k, v in os.environ.items()}
    env.update(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="parabench.nl")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["True", "31536000", "True"]


def _binding(env: dict, entry: str) -> str:
    """server_side_binding and prepare_threshold of a process started through ``entry``."""
    script = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='parabench.settings'\n"
        f"{entry}\n"
        "from django.conf import settings\n"
        "options = settings.DATABASES['default']['OPTIONS']\n"
        "print(options.get('server_side_binding'), options.get('prepare_threshold'))"
    )
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[-2]


UPLOADER = "import django; from parabench.uploads.server import _setup_django; _setup_django()"
PORTAL = "from parabench.asgi import application"
OTHER = "import django; django.setup()"


@pytest.mark.parametrize(("pool", "prepared"), [("1", "True 2"), ("0", "None None")])
def test_the_uploader_and_the_portal_prepare_their_statements_only_with_djangos_own_pool(
    pool, prepared
):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_PREPARED_STATEMENTS"}
    env.update(DATABASE_URL="postgres://nobody@127.0.0.1:1/none", DATABASE_POOL=pool)
    assert _binding(env, UPLOADER) == prepared
    assert _binding(env, PORTAL) == prepared
    # Any other process (the workers, manage.py) keeps client-side binding unless told otherwise.
    env["DATABASE_POOL"] = "1"
    assert _binding(env, OTHER) == "None None"
    # And the environment decides over the default.
    env["DATABASE_PREPARED_STATEMENTS"] = "0"
    assert _binding(env, PORTAL) == "None None"
