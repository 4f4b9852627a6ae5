"""Reading an ASGI request and running Django work beside the event loop: shared by the
uploader's endpoints (service.py, enrolment.py, acceptance.py)."""

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import translation

from parabench.uploads.refusals import Refusal


def in_thread(func):
    """Run ``func`` in a thread with fresh-enough database connections, like a Django request."""

    def wrapped(*args, **kwargs):
        close_old_connections()
        try:
            with translation.override(settings.LANGUAGE_CODE):
                return func(*args, **kwargs)
        except Refusal as refusal:
            raise without_frames(refusal) from None
        finally:
            close_old_connections()

    return sync_to_async(wrapped, thread_sensitive=False)


def without_frames(refusal: Refusal) -> Refusal:
    """``refusal`` without the traceback (and the exceptions it came from) that keep every frame
    it passed alive.

    A refusal is an answer, not a fault: nothing logs its traceback. But on its way out of a worker
    thread into the event loop's future it sits in a reference cycle, so the frames it passed —
    with the decompressed body and the parsed document in their locals — stayed alive until the
    garbage collector got round to it: 20 refused uploads at once held 20 parsed documents after
    their answers, not the two the validation slots allow (issue 18, 447 MB peak).
    """
    refusal.__context__ = refusal.__cause__ = None
    return refusal.with_traceback(None)


async def read_body(receive, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit``."""
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
