"""Intake: from request bytes to a durably stored, committed upload — or a precise refusal.

The order is the promise the uploader makes to the client: the body is written to a file and
fsynced (file, then its directory) *before* the upload row is committed, and the row (with its
import task) is committed *before* 202 is answered. On SQLite that commit is ``synchronous=FULL``
(settings.py), so it too survives a power cut. Whatever crashes after 202, nothing accepted is
lost; whatever crashes before it, the client did not get 202 and retries. A retry of the same bytes
by the same practice finds the existing row by its content hash and gets the same import number.
A crash between the fsynced body and the commit leaves a body without a row:
``sweep_orphan_bodies`` (run by the import worker at start) accepts it after all, or reports it.

Dependencies point one way: intake hands an accepted upload to the importer, never back.
"""

import contextlib
import datetime as dt
import functools
import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from parabench import plain_rows, tasks
from parabench.practices.models import Practice
from parabench.uploads import storage
from parabench.uploads.documents import (
    check_value_count,
    content_hash,
    decompress,
    parsed_document,
)
from parabench.uploads.importer import enqueue_import, import_upload
from parabench.uploads.models import Import
from parabench.uploads.refusals import Refusal
from parabench.uploads.validation import quickly_validated_export, validated_export
from parabench_format import Export

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    imp: Import
    duplicate: bool


@functools.cache
def _earlier_statement() -> str:
    """The look-up of an earlier upload, written once per process from the model's metadata
    (table and column names, never input).

    Why not the ORM here: building the query cost 0.84 ms of CPU on every upload, against
    0.07-0.1 ms for a statement through the cursor (PostgreSQL, 2 cores shared); the insert
    that follows is ``plain_rows.insert`` for the same reason.
    """
    q = connection.ops.quote_name
    meta = Import._meta
    column = {f.name: q(f.column) for f in meta.concrete_fields}
    return (
        f"SELECT {column['id']} FROM {q(meta.db_table)} "  # noqa: S608
        f"WHERE {column['practice']} = %s AND {column['content_sha256']} = %s"
    )


def existing_upload(practice, sha256: str) -> Import | None:
    """The earlier upload of these bytes by this practice (the unique index answers it)."""
    with connection.cursor() as cursor:
        cursor.execute(_earlier_statement(), [practice.pk, sha256])
        row = cursor.fetchone()
    # Only a retry goes on to the ORM: the whole row, for its answer.
    return None if row is None else Import.objects.get(pk=row[0])


def check_exported_at(exported_at: dt.datetime, received_at: dt.datetime) -> None:
    """An export cannot be made after it arrived; beyond the allowed clock skew it is refused.

    Why it matters: the newest export of a year counts, so one dated in 2099 would pin the year
    and every later, correct export would be imported but never count.
    """
    skew = dt.timedelta(minutes=settings.UPLOAD_CLOCK_SKEW_MINUTES)
    if exported_at > received_at + skew:
        raise Refusal(
            "exported_at_future",
            detail=f"exported_at {exported_at.isoformat()}, received "
            f"{received_at.astimezone(dt.UTC).isoformat(timespec='seconds')}",
        )


def accept_export(
    *, practice, certificate_fingerprint: str, body: bytes, encoding: str, now=None
) -> Accepted:
    """Check one export of ``practice`` and store it; raise Refusal for anything unacceptable.

    ``body`` is what came over the wire (at most UPLOAD_MAX_BYTES, the caller enforces that while
    reading). The hash that makes retries idempotent is over the decompressed document, so the same
    export sent once plain and once gzipped is one upload.
    """
    checked = check_export(
        practice=practice,
        certificate_fingerprint=certificate_fingerprint,
        body=body,
        encoding=encoding,
        now=now,
    )
    return checked if isinstance(checked, Accepted) else store(checked)


def check_export(
    *, practice, certificate_fingerprint: str, body: bytes, encoding: str, now=None
) -> "Accepted | Checked":
    """The checking half of ``accept_export``: decompress, parse, validate; store nothing."""
    document = decompress(body, encoding, settings.UPLOAD_MAX_DECOMPRESSED_BYTES)
    return check_document(
        practice=practice,
        certificate_fingerprint=certificate_fingerprint,
        document=document,
        now=now or timezone.now(),
    )


@dataclass(frozen=True)
class Checked:
    """An export that passed every check on receipt and is not stored yet (``store`` does that).

    What the upload row needs, and nothing of the parsed document: the uploader bounds how many
    documents are parsed at once (UPLOAD_MAX_CONCURRENT_VALIDATIONS), and a checked export waiting
    for its fsync and commit holds only its bytes.
    """

    practice: Practice
    certificate_fingerprint: str
    document: bytes
    sha256: str
    received_at: dt.datetime
    format_version: str
    period_begin: dt.date
    period_end: dt.date
    year_closed: bool
    exported_at: dt.datetime


def accept_document(
    *, practice, certificate_fingerprint: str, document: bytes, now: dt.datetime
) -> Accepted:
    checked = check_document(
        practice=practice,
        certificate_fingerprint=certificate_fingerprint,
        document=document,
        now=now,
    )
    return checked if isinstance(checked, Accepted) else store(checked)


def validated_document(document: bytes, *, today: dt.date) -> Export:
    """The export in ``document``, or the refusal of the first check it fails (docs/uploader.md,
    steps 7 and 8): a valid export straight from its bytes, anything else step by step."""
    check_value_count(document)  # on the bytes, before anything is parsed
    export = quickly_validated_export(document, today=today)
    if export is None:  # something to refuse, or a key that may occur twice: every step in turn
        export = validated_export(parsed_document(document), today=today, raw=document)
    return export


def check_document(
    *, practice, certificate_fingerprint: str, document: bytes, now: dt.datetime
) -> "Accepted | Checked":
    """Every check of an upload on receipt; an earlier upload of the same bytes is found first
    (``Accepted`` with ``duplicate``), so a retry is answered without validating again."""
    sha256 = content_hash(document)
    earlier = existing_upload(practice, sha256)
    if earlier is not None:
        return Accepted(earlier, duplicate=True)

    export = validated_document(document, today=timezone.localdate(now))
    if export.practice.agb_code != practice.agb_code:
        raise Refusal(
            "practice_mismatch",
            detail=f"export {export.practice.agb_code}, certificate {practice.agb_code}",
        )
    check_exported_at(export.exported_at, now)
    return Checked(
        practice=practice,
        certificate_fingerprint=certificate_fingerprint,
        document=document,
        sha256=sha256,
        received_at=now,
        format_version=export.format,
        period_begin=export.period.begin,
        period_end=export.period.end,
        year_closed=export.year_closed,
        exported_at=export.exported_at,
    )


def store(checked: Checked) -> Accepted:
    """Write a checked export durably, then commit its row and import task (the promise of
    this module's docstring: fsynced body, then the commit, then 202)."""
    practice, sha256 = checked.practice, checked.sha256
    relative = f"{practice.pk}/{sha256}.json"
    storage.store_durably(checked.document, relative)
    try:
        imp = Import(
            practice=practice,
            certificate_fingerprint=checked.certificate_fingerprint,
            uploaded_at=checked.received_at,
            content_sha256=sha256,
            body_path=relative,
            body_size=len(checked.document),
            format_version=checked.format_version,
            year=checked.period_begin.year,
            period_begin=checked.period_begin,
            period_end=checked.period_end,
            year_closed=checked.year_closed,
            exported_at=checked.exported_at,
        )
        _insert_with_import_task(imp)
    except IntegrityError:
        # The same bytes arrived twice at once; the other request committed first.
        earlier = existing_upload(practice, sha256)
        if earlier is None:
            raise
        return Accepted(earlier, duplicate=True)
    return Accepted(imp, duplicate=False)


def _insert_with_import_task(imp: Import) -> None:
    """Insert the upload row ``imp`` and queue its import task, both or neither: an upload row
    never exists without its task.

    On PostgreSQL with the database task backend in one statement (a data-modifying ``WITH``),
    which commits by itself: one round trip instead of four (BEGIN, the two INSERTs, COMMIT).
    Why: 0.5 ms of the uploader's CPU and 0.3 ms of PostgreSQL's per upload (issue 18,
    session 21, docs/uploader.md). Elsewhere (SQLite) the two inserts in one transaction.
    """
    if connection.vendor != "postgresql" or not tasks.uses_database_backend():
        with transaction.atomic():
            plain_rows.insert(imp)
            enqueue_import(imp.pk)
        return
    attempt = 1
    # The task's arguments are written by the statement (the row's key is known only there).
    row = tasks.task_row(import_upload, 0, attempt)
    values = plain_rows.insert_values(imp) + [
        attempt if field.name == "args_kwargs" else value
        for field, value in zip(
            plain_rows.insert_statement(type(row))[1], plain_rows.insert_values(row), strict=True
        )
    ]
    # Inside a caller's transaction a savepoint, as the other path's atomic block: a duplicate
    # (IntegrityError) must leave that transaction usable for the look-up that follows.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with guard, connection.cursor() as cursor:
        cursor.execute(_upload_with_task_statement(), values)
        key = cursor.fetchone()[0]
    plain_rows.inserted(imp, key)


@functools.cache
def _upload_with_task_statement() -> str:
    """The upload row's INSERT and its import task's (``import_upload(id, 1)``) as one
    PostgreSQL statement; the task's arguments take the row's new key inside it. Written once
    per process from the models' metadata (names, never input)."""
    from django_tasks_db.models import DBTaskResult

    q = connection.ops.quote_name
    upload, _fields, key = plain_rows.insert_statement(Import)
    _sql, fields, _none = plain_rows.insert_statement(DBTaskResult)
    new_key = f"(SELECT {q(key.column)} FROM upload)"  # noqa: S608
    arguments = (
        f"jsonb_build_object('args', jsonb_build_array({new_key}, %s), "
        "'kwargs', jsonb_build_object())"
    )
    values = ", ".join(arguments if f.name == "args_kwargs" else "%s" for f in fields)
    columns = ", ".join(q(f.column) for f in fields)
    return (
        f"WITH upload AS ({upload}) INSERT INTO {q(DBTaskResult._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({values}) RETURNING {new_key}"
    )


# --- After a crash ---------------------------------------------------------------------------


@dataclass
class SweepReport:
    part_files_removed: int = 0
    accepted: list[int] = field(default_factory=list)  # import numbers
    set_aside: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def _set_aside(path: Path, reason: str, report: SweepReport) -> None:
    """Move a body that cannot become an upload out of the way, so it is reported only once."""
    target = storage.storage_root() / "unaccepted" / path.parent.name / path.name
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.replace(target)
    logger.error("upload body %s set aside in %s: %s", path.name, target.parent, reason)
    report.set_aside.append((str(target), reason))


SWEEP_CHUNK = 1000


def _bodies_without_row(older_than_seconds: float):
    """Stored bodies whose upload row is missing, asked of the database a thousand at a time:
    at national scale the storage holds hundreds of thousands of bodies, and one query per body
    at every worker start and every sweep would keep the database busy for minutes."""
    bodies = storage.stored_bodies(older_than_seconds)
    while chunk := list(itertools.islice(bodies, SWEEP_CHUNK)):
        known = set(
            Import.objects.filter(content_sha256__in={sha256 for _p, sha256, _path in chunk})
            .values_list("practice_id", "content_sha256")
            .iterator()
        )
        yield from (body for body in chunk if body[:2] not in known)


def sweep_orphan_bodies(older_than_seconds: float = 600) -> SweepReport:
    """Clean up after crashes of the uploader: unfinished writes go, bodies without a row come in.

    A body without a row was fsynced but its commit was lost (a power cut, a killed process);
    the client got no 202 and may have retried (then the row exists and nothing is to do). Such a
    body is accepted now as it would have been then: received at its file's time, by an unknown
    certificate. One that fails (the practice was deleted, a rule changed) is set aside under
    ``unaccepted/`` and logged. Only files older than ``older_than_seconds`` are touched, so a
    request in progress is never swept from under the uploader.
    """
    report = SweepReport()
    report.part_files_removed = len(storage.sweep_part_files(older_than_seconds))
    for practice_id, sha256, path in _bodies_without_row(older_than_seconds):
        practice = Practice.objects.filter(pk=practice_id).first()
        document = path.read_bytes()
        if practice is None:
            _set_aside(path, "practice_unknown", report)
            continue
        if content_hash(document) != sha256:
            _set_aside(path, "content_hash_mismatch", report)
            continue
        received_at = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        try:
            accepted = accept_document(
                practice=practice,
                certificate_fingerprint="",
                document=document,
                now=received_at,
            )
        except Refusal as refusal:
            _set_aside(path, refusal.code, report)
            continue
        logger.warning("upload body %s had no row; accepted as import %s", path, accepted.imp.pk)
        report.accepted.append(accepted.imp.pk)
    return report
