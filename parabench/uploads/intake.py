"""Intake: from request bytes to a durably stored, committed upload — or a precise refusal.

The order is the promise the uploader makes to the client: the body is written to a file and
fsynced (file, then its directory) *before* the upload row is committed, and the row (with its
import task) is committed *before* 202 is answered. Whatever crashes after 202, nothing accepted is
lost; whatever crashes before it, the client did not get 202 and retries. A retry of the same bytes
by the same practice finds the existing row by its content hash and gets the same import number.
"""

import hashlib
import json
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from parabench.uploads.models import Import
from parabench.uploads.refusals import Refusal
from parabench.uploads.validation import validated_export

FORMAT = "parabench-mi/1"


@dataclass(frozen=True)
class Accepted:
    imp: Import
    duplicate: bool


# --- Body ------------------------------------------------------------------------------------


def check_media_type(content_type: str | None, content_encoding: str | None) -> str:
    """The encoding to undo ("identity" or "gzip"), or a 415 refusal."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise Refusal("unsupported_media_type")
    encoding = (content_encoding or "identity").strip().lower()
    if encoding not in ("identity", "gzip"):
        raise Refusal("unsupported_media_type")
    return encoding


def decompress(body: bytes, encoding: str, limit: int) -> bytes:
    """Undo gzip in bounded steps: a small bomb never takes more than ``limit`` bytes of memory."""
    if encoding == "identity":
        if len(body) > limit:
            raise Refusal("body_too_large")
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = body
    try:
        while pending and not inflater.eof:
            out += inflater.decompress(pending, limit + 1 - len(out))
            if len(out) > limit:
                raise Refusal("body_too_large", detail=f"decompressed > {limit} bytes")
            pending = inflater.unconsumed_tail
    except zlib.error as exc:
        raise Refusal("not_json", detail="invalid gzip") from exc
    if not inflater.eof or inflater.unused_data:
        raise Refusal("not_json", detail="incomplete or trailing gzip data")
    return bytes(out)


def parse_json(data: bytes):
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise Refusal("not_json") from exc


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Durable storage -------------------------------------------------------------------------


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
    root = Path(settings.UPLOAD_STORAGE_DIR)
    final = root / relative
    directory = final.parent
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True)
        _fsync_directory(directory.parent)
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=".incoming-", suffix=".part")
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


def stored_body(imp: Import) -> bytes:
    return (Path(settings.UPLOAD_STORAGE_DIR) / imp.body_path).read_bytes()


# --- The whole intake ------------------------------------------------------------------------


def existing_upload(practice, sha256: str) -> Import | None:
    try:
        # get(), not first(): first() would sort by upload time and miss the unique index.
        return Import.objects.get(practice=practice, content_sha256=sha256)
    except Import.DoesNotExist:
        return None


def accept_export(
    *, practice, certificate_fingerprint: str, body: bytes, encoding: str, now=None
) -> Accepted:
    """Check one export of ``practice`` and store it; raise Refusal for anything unacceptable.

    ``body`` is what came over the wire (at most UPLOAD_MAX_BYTES, the caller enforces that while
    reading). The hash that makes retries idempotent is over the decompressed document, so the same
    export sent once plain and once gzipped is one upload.
    """
    now = now or timezone.now()
    document = decompress(body, encoding, settings.UPLOAD_MAX_DECOMPRESSED_BYTES)
    sha256 = content_hash(document)
    earlier = existing_upload(practice, sha256)
    if earlier is not None:
        return Accepted(earlier, duplicate=True)

    export = validated_export(parse_json(document), today=timezone.localdate(now), raw=document)
    if export.practice.agb_code != practice.agb_code:
        raise Refusal(
            "practice_mismatch",
            detail=f"export {export.practice.agb_code}, certificate {practice.agb_code}",
        )

    relative = f"{practice.pk}/{sha256}.json"
    store_durably(document, relative)
    try:
        with transaction.atomic():
            imp = Import.objects.create(
                practice=practice,
                certificate_fingerprint=certificate_fingerprint,
                uploaded_at=now,
                content_sha256=sha256,
                body_path=relative,
                body_size=len(document),
                format_version=export.format,
                year=export.period.begin.year,
                period_begin=export.period.begin,
                period_end=export.period.end,
                year_closed=export.year_closed,
                exported_at=export.exported_at,
            )
            # Same transaction: an upload row never exists without its import task.
            from parabench.uploads.importer import enqueue_import

            enqueue_import(imp.pk)
    except IntegrityError:
        # The same bytes arrived twice at once; the other request committed first.
        earlier = existing_upload(practice, sha256)
        if earlier is None:
            raise
        return Accepted(earlier, duplicate=True)
    return Accepted(imp, duplicate=False)
