"""Running the intake beside the event loop: a refused upload leaves nothing of itself behind."""

import asyncio
import contextlib
import gc
import json
import tracemalloc

from asgiref.sync import sync_to_async

from parabench.uploads import documents
from parabench.uploads.receiving import in_thread
from parabench.uploads.refusals import Refusal


def _refused_after_parsing(document: bytes):
    parsed = documents.parsed_document(document)  # within every bound, so it is parsed
    raise Refusal("schema_invalid", detail=f"{len(parsed)} unknown keys")


def _memory_held_after_refusals(run_in_thread, document: bytes, refusals: int) -> int:
    """Bytes Python still holds after ``refusals`` refused uploads were answered, with the garbage
    collector off (as it is between its runs): what only a reference cycle keeps alive."""

    async def refuse_all():
        for _ in range(refusals):
            with contextlib.suppress(Refusal):
                await run_in_thread(_refused_after_parsing)(document)

    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        asyncio.run(refuse_all())
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        gc.enable()
        gc.collect()


def test_a_refused_document_is_freed_when_its_answer_is_made_not_when_the_collector_runs():
    # Just within the value bound, with long unknown keys: about a MiB, parsed at a few MB.
    keys = {f"unknown-key-{n:06d}-{'x' * 30}": 0 for n in range(documents.MAX_JSON_VALUES - 10)}
    document = json.dumps(keys).encode()
    # Without dropping the refusal's frames (a plain sync_to_async, as before), every refused
    # document stays alive in a reference cycle after its answer.
    unsafe = _memory_held_after_refusals(
        lambda func: sync_to_async(func, thread_sensitive=False), document, 10
    )
    assert unsafe > 10 * len(document)
    held = _memory_held_after_refusals(in_thread, document, 10)
    assert held < len(document), held
