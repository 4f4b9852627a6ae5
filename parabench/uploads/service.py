"""The uploader service: a small ASGI app at /ParabenchUploader/services (docs/upload-protocol.md).

Plain ASGI rather than Django's request handling, for one reason: the body is read in chunks and
refused with 413 the moment it passes UPLOAD_MAX_BYTES, instead of being spooled to disk first.
Everything that touches the database runs in a worker thread through ``sync_to_async``.
Every answer is JSON; every unexpected failure of storage or database is a 503 the client retries.
"""

import json
import logging
import re

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone, translation

from parabench.uploads import acceptance, enrolment, intake, validation_only
from parabench.uploads.identity import PresentedCertificate, presented_certificate
from parabench.uploads.models import Import
from parabench.uploads.openapi import openapi_document
from parabench.uploads.refusals import Refusal

logger = logging.getLogger(__name__)

BASE_PATH = "/ParabenchUploader/services"
_IMPORT_PATH = re.compile(r"^/imports/([0-9]{1,18})$")


# --- Synchronous parts (database, files) -------------------------------------------------------


def _in_thread(func):
    """Run ``func`` in a thread with fresh-enough database connections, like a Django request."""

    def wrapped(*args, **kwargs):
        close_old_connections()
        try:
            with translation.override(settings.LANGUAGE_CODE):
                return func(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(wrapped, thread_sensitive=False)


def identify(presented: PresentedCertificate):
    """The practice and certificate fingerprint of the caller, or a 401/403 refusal."""
    from parabench.certificates.lookup import identify_practice

    if presented.pem is None:
        raise Refusal("certificate_required")
    check = identify_practice(presented.pem)
    if not check.ok:
        raise Refusal(check.code)
    if presented.proxy_verify is not None and presented.proxy_verify != "SUCCESS":
        # Our database accepts it but nginx did not (e.g. its CRL); both must agree.
        raise Refusal("certificate_invalid", detail=presented.proxy_verify[:200])
    return check.practice, check.certificate.fingerprint_sha256


def _status_json(imp: Import) -> dict:
    def moment(value):
        return timezone.localtime(value).isoformat(timespec="seconds") if value else None

    return {
        "import_number": imp.pk,
        "status": imp.status,
        "uploaded_at": moment(imp.uploaded_at),
        "imported_at": moment(imp.imported_at),
        "period_begin": imp.period_begin.isoformat(),
        "period_end": imp.period_end.isoformat(),
        "warnings": imp.warnings,
        "errors": imp.errors,
    }


def status_url(imp: Import) -> str:
    return f"{BASE_PATH}/imports/{imp.pk}"


def post_export(caller: tuple, body: bytes, encoding: str):
    practice, fingerprint = caller
    accepted = intake.accept_export(
        practice=practice, certificate_fingerprint=fingerprint, body=body, encoding=encoding
    )
    imp = accepted.imp
    payload = {
        "import_number": imp.pk,
        "status": imp.status,
        "duplicate": accepted.duplicate,
        "status_url": status_url(imp),
    }
    return 202, payload, [(b"location", status_url(imp).encode())]


def get_import(presented: PresentedCertificate, number: int):
    practice, _fingerprint = identify(presented)
    imp = Import.objects.filter(practice=practice, pk=number).first()
    if imp is None:
        raise Refusal("not_found")
    return 200, _status_json(imp), []


# --- ASGI ------------------------------------------------------------------------------------


async def _answer(send, status: int, payload: dict, headers=()) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionAbortedError("client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refusal("body_too_large", detail=f"body > {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _declared_length(scope) -> int | None:
    value = _header(scope, b"content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


async def _dispatch(scope, receive):
    path = scope.get("path", "")
    if not path.startswith(BASE_PATH):
        raise Refusal("not_found")
    path = path[len(BASE_PATH) :] or "/"
    method = scope.get("method", "GET")
    presented = presented_certificate(scope)

    if path == "/openapi.json":
        if method not in ("GET", "HEAD"):
            raise Refusal("method_not_allowed")
        return 200, openapi_document(), []
    if path == acceptance.PATH and await acceptance.is_vendor(presented):  # issue 20
        return await acceptance.dispatch(method, presented, scope, receive)
    if path in ("/exports", "/validate"):  # /validate: validation_only.py, stores nothing
        if method != "POST":
            raise Refusal("method_not_allowed")
        # Who is calling comes first: an unknown caller learns nothing about our limits.
        caller = await _in_thread(identify)(presented)
        encoding = intake.check_media_type(
            _header(scope, b"content-type"), _header(scope, b"content-encoding")
        )
        limit = settings.UPLOAD_MAX_BYTES
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            raise Refusal("body_too_large", detail=f"Content-Length > {limit} bytes")
        body = await _read_body(receive, limit)
        handler = post_export if path == "/exports" else validation_only.check_export
        return await _in_thread(handler)(caller, body, encoding)
    if path.startswith(enrolment.PREFIX):  # certificate request and renewal (issue 20)
        return await enrolment.dispatch(path, method, presented, scope, receive)
    match = _IMPORT_PATH.match(path)
    if match:
        if method not in ("GET", "HEAD"):
            raise Refusal("method_not_allowed")
        return await _in_thread(get_import)(presented, int(match.group(1)))
    raise Refusal("not_found")


async def application(scope, receive, send):
    """The ASGI entry point (see parabench/uploads/asgi.py for the Django set-up around it)."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    try:
        status, payload, headers = await _dispatch(scope, receive)
    except Refusal as refusal:
        status, payload, headers = refusal.status, refusal.as_json(), []
    except ConnectionAbortedError:
        return
    except (DatabaseError, OSError):
        logger.exception("uploader: storage or database unavailable")
        refusal = Refusal("unavailable")
        status, payload, headers = 503, refusal.as_json(), [(b"retry-after", b"5")]
    await _answer(send, status, payload, headers)
