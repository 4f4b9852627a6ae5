"""The uploader service: a small ASGI app at /ParabenchUploader/services (docs/upload-protocol.md).

Plain ASGI rather than Django's request handling, for one reason: the body is read in chunks and
refused with 413 the moment it passes UPLOAD_MAX_BYTES, instead of being spooled to disk first.
Everything that touches the database runs in a worker thread through ``sync_to_async``.
Every answer is JSON; every unexpected failure of storage or database is a 503 the client retries.
"""

import asyncio
import collections
import json
import logging
import re
import threading

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from parabench.uploads import acceptance, enrolment, intake, validation_only
from parabench.uploads.documents import check_media_type
from parabench.uploads.identity import PresentedCertificate, presented_certificate
from parabench.uploads.models import Import
from parabench.uploads.openapi import openapi_document
from parabench.uploads.receiving import in_thread, read_body
from parabench.uploads.refusals import Refusal

logger = logging.getLogger(__name__)
# One JSON object per request: who (certificate fingerprint, practice), what, and the answer.
access_log = logging.getLogger("parabench.uploader.access")

BASE_PATH = "/ParabenchUploader/services"
_IMPORT_PATH = re.compile(r"^/imports/([0-9]{1,18})$")


# --- Synchronous parts (database, files) -------------------------------------------------------


def identify(presented: PresentedCertificate):
    """The practice and certificate fingerprint of the caller, or a 401/403 refusal."""
    from parabench.certificates.lookup import identify_practice

    if presented.pem is None:
        raise Refusal("certificate_required")
    # An unreadable one goes as it came: identify_practice names why it is refused.
    check = identify_practice(presented.parsed or presented.pem)
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


def check_upload(caller: tuple, body: bytes, encoding: str):
    """The checks of ``POST /exports`` (run while holding a validation slot)."""
    practice, fingerprint = caller
    return intake.check_export(
        practice=practice, certificate_fingerprint=fingerprint, body=body, encoding=encoding
    )


def answer_upload(checked):
    """Store a checked upload (fsync, commit) and answer 202; a duplicate is answered at once."""
    accepted = checked if isinstance(checked, intake.Accepted) else intake.store(checked)
    imp = accepted.imp
    payload = {
        "import_number": imp.pk,
        "status": imp.status,
        "duplicate": accepted.duplicate,
        "status_url": status_url(imp),
    }
    return 202, payload, [(b"location", status_url(imp).encode())]


def post_export(caller: tuple, body: bytes, encoding: str):
    """``POST /exports`` in one call: check, store, answer."""
    return answer_upload(check_upload(caller, body, encoding))


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


class Slots:
    """At most ``size`` holders at once: taken in the event loop, given back from any thread.

    Why not ``asyncio.Semaphore``: an upload gives its slot back from the worker thread, before
    its fsync and commit, and a semaphore can only be released in its loop
    (``call_soon_threadsafe``): the loop was woken once more for every upload, 11 % of an
    uploader's CPU under the topology's load (py-spy, 2026-11-30). Here giving back wakes the
    loop only when a request waits for the slot; the slot then passes to the longest waiting.
    """

    def __init__(self, size: int, loop: asyncio.AbstractEventLoop):
        self._free = size
        self._waiting: collections.deque[asyncio.Future] = collections.deque()
        self._lock = threading.Lock()
        self._loop = loop

    async def take(self, timeout: float) -> None:
        """Take a slot, waiting up to ``timeout`` seconds; TimeoutError when none came free."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = self._loop.create_future()
            self._waiting.append(turn)
        try:
            await asyncio.wait_for(turn, timeout)
        except BaseException:
            with self._lock:
                if turn in self._waiting:
                    self._waiting.remove(turn)
                    raise
            if turn.done() and not turn.cancelled():
                self.give_back()  # handed over, but this request is gone (cancelled)
            raise

    def give_back(self) -> None:
        """Free a slot, or hand it to the longest waiting request (from any thread)."""
        with self._lock:
            if not self._waiting:
                self._free += 1
                return
            turn = self._waiting.popleft()
        self._loop.call_soon_threadsafe(self._hand_over, turn)

    def _hand_over(self, turn: asyncio.Future) -> None:
        # In the loop, where a timeout cancels ``turn``: a turn given up meanwhile passes it on.
        if turn.cancelled():
            self.give_back()
        else:
            turn.set_result(None)


_validation_slots: dict[int, Slots] = {}


def _validation_slot() -> Slots:
    """The slots that cap concurrent validations, one set per event loop (tests start several)."""
    loop = asyncio.get_running_loop()
    if id(loop) not in _validation_slots:
        _validation_slots[id(loop)] = Slots(settings.UPLOAD_MAX_CONCURRENT_VALIDATIONS, loop)
    return _validation_slots[id(loop)]


async def _validated_in_turn(checks, presented, body: bytes, then=None):
    """Run ``checks(presented, body)`` when a validation slot is free: memory is bounded by the
    number of slots, not by the number of requests. A request that waits too long gets 503.

    ``then`` (the fsync and the commit of a checked upload) runs in the same worker thread right
    after the checks, with the slot already given back: it waits on the disk and the database
    and holds only the body. The certificate check (``identify``) runs first in that thread too:
    one trip to a thread per upload instead of two saves a hand-over and the database
    connection taken from and given back to the pool (≈ 0.2 ms CPU).
    """
    slots = _validation_slot()
    try:
        await slots.take(settings.UPLOAD_VALIDATION_WAIT_SECONDS)
    except TimeoutError:
        raise Refusal("unavailable", detail="too many uploads at once") from None
    release = _GiveBackOnce(slots)

    def checked(*args):
        try:
            result = checks(*args)
        finally:
            release()
        return result if then is None else then(result)

    try:
        return await in_thread(checked)(presented, body)
    finally:
        release()


class _GiveBackOnce:
    """Gives a validation slot back exactly once, from the worker thread or the event loop."""

    def __init__(self, slots: Slots):
        self._slots = slots
        self._lock, self._done = threading.Lock(), False

    def __call__(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        self._slots.give_back()


async def _body_of(scope, receive) -> tuple[bytes, str | None, Refusal | None]:
    """The body of an upload and its encoding, or the refusal of its type or size (nothing of
    the body is read when the type or the declared length already refuses it)."""
    try:
        encoding = check_media_type(
            _header(scope, b"content-type"), _header(scope, b"content-encoding")
        )
        limit = settings.UPLOAD_MAX_BYTES
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            raise Refusal("body_too_large", detail=f"Content-Length > {limit} bytes")
        return await read_body(receive, limit), encoding, None
    except Refusal as refusal:
        return b"", None, refusal


async def _dispatch(scope, receive, record: dict):
    path = scope.get("path", "")
    if not path.startswith(BASE_PATH):
        raise Refusal("not_found")
    path = path[len(BASE_PATH) :] or "/"
    method = scope.get("method", "GET")
    presented = presented_certificate(scope)
    record["fingerprint"] = presented.fingerprint

    if path == "/openapi.json":
        if method not in ("GET", "HEAD"):
            raise Refusal("method_not_allowed")
        return 200, openapi_document(), []
    if path == acceptance.PATH and await acceptance.is_vendor(presented):  # issue 20
        return await acceptance.dispatch(method, presented, scope, receive)
    if path in ("/exports", "/validate"):  # /validate: validation_only.py, stores nothing
        if method != "POST":
            raise Refusal("method_not_allowed")
        # Who is calling comes first: an unknown caller learns nothing about our limits. The
        # body is read before the caller is known (the certificate check runs in the thread
        # that checks the body), so a refusal of its type or size waits for that check.
        body, encoding, refused = await _body_of(scope, receive)
        record["bytes"] = len(body)
        handler = validation_only.check_export if path == "/validate" else check_upload

        def checks(presented, body):
            caller = identify(presented)
            record["agb_code"] = caller[0].agb_code
            if refused is not None:
                raise refused
            return handler(caller, body, encoding)

        # The slot bounds the parsing and validating (the memory); the fsync and the commit
        # that follow wait on the disk and the database, and hold only the body.
        then = answer_upload if path == "/exports" else None
        return await _validated_in_turn(checks, presented, body, then)
    if path.startswith(enrolment.PREFIX):  # certificate request and renewal (issue 20)
        return await enrolment.dispatch(path, method, presented, scope, receive)
    match = _IMPORT_PATH.match(path)
    if match:
        if method not in ("GET", "HEAD"):
            raise Refusal("method_not_allowed")
        return await in_thread(get_import)(presented, int(match.group(1)))
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
    record = {}
    try:
        status, payload, headers = await _dispatch(scope, receive, record)
    except Refusal as refusal:
        status, payload, headers = refusal.status, refusal.as_json(), []
        if refusal.code == "unavailable":
            headers = [(b"retry-after", b"5")]
    except ConnectionAbortedError:
        _log_access(scope, record, 499, {"error": {"code": "client_disconnected"}})
        return
    except (DatabaseError, OSError):
        logger.exception("uploader: storage or database unavailable")
        refusal = Refusal("unavailable")
        status, payload, headers = 503, refusal.as_json(), [(b"retry-after", b"5")]
    except Exception:
        # A fault of ours (e.g. a misconfiguration): still the protocol's JSON, never a bare 500.
        logger.exception("uploader: unexpected error")
        status, payload, headers = 500, Refusal("internal_error").as_json(), []
    _log_access(scope, record, status, payload)
    await _answer(send, status, payload, headers)


def _log_access(scope, record: dict, status: int, payload: dict) -> None:
    """One structured line per request, refused certificates included (fingerprint and code)."""
    client = scope.get("client") or ("", 0)
    entry = {
        "at": timezone.now().isoformat(timespec="milliseconds"),
        "peer": client[0],
        "method": scope.get("method"),
        "path": scope.get("path"),
        "status": status,
        "fingerprint": record.get("fingerprint"),
        "agb_code": record.get("agb_code"),
        "bytes": record.get("bytes"),
    }
    if "error" in payload:
        entry["code"] = payload["error"]["code"]
    elif "import_number" in payload:
        entry["import_number"] = payload["import_number"]
        entry["duplicate"] = payload.get("duplicate")
        entry["code"] = "accepted" if status == 202 else "ok"
    access_log.info(json.dumps(entry, ensure_ascii=False))
