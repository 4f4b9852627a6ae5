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
        finally:
            close_old_connections()

    return sync_to_async(wrapped, thread_sensitive=False)


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
