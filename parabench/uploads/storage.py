"""The upload bodies on disk: written so that they survive a power cut, read back, swept.

Layout: ``UPLOAD_STORAGE_DIR/<practice id>/<sha256 of the document>.json``, the directories private
to the service's user (0700, files 0600). A body is written and fsynced *before* its Import row is
committed (see intake.py); a crash between the two leaves a body without a row, and a crash while
writing leaves a ``.incoming-*.part`` file. ``sweep_part_files`` removes the latter and
``bodies_without_row`` finds the former for ``intake.sweep_orphan_bodies``.
"""

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from parabench.env import private_directory

PART_PREFIX, PART_SUFFIX = ".incoming-", ".part"


def storage_root() -> Path:
    return Path(settings.UPLOAD_STORAGE_DIR)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_durably(data: bytes, relative: str) -> Path:
    """Write ``data`` under UPLOAD_STORAGE_DIR/relative so that it survives a power cut.

    Temp file in the same directory, fsync it, rename over the final name, fsync the directory
    (the rename itself must be on disk too). A file of the same name already holds the same bytes
    (the name is the content hash), so rewriting it is harmless.
    """
    final = storage_root() / relative
    directory = final.parent
    # mkstemp creates the file 0600. The practice's directory is made only when mkstemp finds
    # it missing (its first upload): no stat of it on every upload.
    try:
        fd, temp_name = tempfile.mkstemp(dir=directory, prefix=PART_PREFIX, suffix=PART_SUFFIX)
    except FileNotFoundError:
        private_directory(storage_root())  # parents= would create it with the default mode
        directory.mkdir(exist_ok=True, mode=0o700)
        _fsync_directory(directory.parent)
        fd, temp_name = tempfile.mkstemp(dir=directory, prefix=PART_PREFIX, suffix=PART_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, final)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)
    return final


def stored_body(imp) -> bytes:
    """The document an Import row was accepted with."""
    return (storage_root() / imp.body_path).read_bytes()


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except FileNotFoundError:
        return False


def sweep_part_files(older_than_seconds: float) -> list[Path]:
    """Remove the temporary files of writes that never finished (a crash, a killed process).

    Only files older than ``older_than_seconds``: a younger one may be a write in progress.
    """
    root = storage_root()
    if not root.is_dir():
        return []
    removed = []
    for path in root.glob(f"*/{PART_PREFIX}*{PART_SUFFIX}"):
        if _older_than(path, older_than_seconds):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def stored_bodies(older_than_seconds: float) -> Iterator[tuple[int, str, Path]]:
    """``(practice id, sha256, path)`` of every finished body older than the given age."""
    root = storage_root()
    if not root.is_dir():
        return
    for path in root.glob("*/*.json"):
        practice_dir, stem = path.parent.name, path.stem
        if not practice_dir.isdigit() or len(stem) != 64:
            continue
        if _older_than(path, older_than_seconds):
            yield int(practice_dir), stem, path
