"""Tiny typed readers for environment settings that fail loudly on bad values (and two helpers
that make the files settings point at private to this user), and what a server process sets up
at its start (prepared statements, a settled heap).

Every reader also accepts ``NAME_FILE`` pointing at a file holding the value, so secrets can come
from a mounted file instead of the process environment.
"""

import gc
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    value = _raw(name)
    return Path(value) if value else default


def private_directory(path: Path) -> None:
    """Create ``path`` (and parents) private to this user (0700); tighten it if it is ours.

    A directory this process may not create or does not own (a read-only install that keeps its
    data elsewhere) is left alone: what is actually written there fails loudly by itself.
    """
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        status = path.stat()
        if status.st_uid == os.getuid() and status.st_mode & 0o077:
            path.chmod(0o700)
    except PermissionError:
        pass


def private_file(path: Path) -> None:
    """Create ``path`` empty if missing, readable and writable by this user only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def prepared_statements_by_default() -> None:
    """The portal and the uploader run the same few statements again and again: prepared on
    PostgreSQL (settings.py, DATABASE_PREPARED_STATEMENTS), unless the environment says
    otherwise. Call before Django reads its settings."""
    os.environ.setdefault("DATABASE_PREPARED_STATEMENTS", "1")


def settle_heap() -> None:
    """Freeze what start-up built and collect cycles after 10,000 new objects instead of 700:
    for the portal and the uploader, once they are ready to serve.

    The oldest generation's collections walked the whole start-up heap (Django, the apps, numpy:
    some 117,000 objects) on every pass. The uploader: every upload builds some 10,000 objects;
    with Python's defaults the collector took 1.7 ms CPU of ~13 per upload (gc.callbacks, 620
    uploads), frozen and with the higher threshold 0.28 ms. The portal: a full collection held
    the request it fell in for 70–80 ms (a 2-core machine, 648 dashboard pages, two such
    passes), with 20 clients queued every one of them; frozen, 17–23 ms. Almost everything a
    request builds is freed by reference counting; cycles are still collected, later.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
