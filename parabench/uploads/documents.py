"""From request bytes to a parsed JSON document, with every step bounded.

Why bounds at each step: a real export is about 25 KB with some 6,000 JSON values, but the
uploader faces the internet. Before these checks a 5 MB body (or a 10 KB gzip of one) cost
gigabytes during validation: pydantic reports every unknown key separately, and a refusal listing
100,000 problems is itself a 15 MB answer. So: the decompressed size is capped
(UPLOAD_MAX_DECOMPRESSED_BYTES), gzip is undone in bounded steps, duplicate keys are refused, and
a count of the document's tokens on its bytes (``check_value_count``) refuses one with more values
than an export can have before it is parsed, and a cheap walk over the parsed document
(``check_shape``) refuses anything deeper than an export can be before the format's full
validation runs. See docs/uploader.md, "Bounded intake".
"""

import hashlib
import json
import zlib

from parabench.uploads.refusals import Refusal

# A parabench-mi/1.1 export has at most 7 windows of ~950 values (1.0: ~800; the case-mix cells add
# 144, the outcome measures 10) and 12 trend months: ~7,000 JSON values and 8 levels deep. Three
# times that leaves room for the format to grow.
MAX_JSON_VALUES = 20_000
MAX_JSON_DEPTH = 12


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
            raise Refusal("body_too_large", detail=f"body > {limit} bytes")
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


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict:
    """JSON allows a key twice and parsers disagree on which one wins; an export may not.

    ``dict(pairs)`` builds the object in C; only when it came out shorter than its pairs (a key
    occurred twice) is the first repeated key looked for, to name it in the refusal.
    """
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def parse_json(data: bytes):
    """The parsed document; 422 ``not_json`` for unreadable JSON, ``json_duplicate_key`` for a key
    that occurs twice in one object."""
    try:
        return json.loads(data, object_pairs_hook=_refuse_duplicates)
    except _DuplicateKey as exc:
        raise Refusal("json_duplicate_key", detail=f"key {exc.key[:100]!r}") from exc
    except (ValueError, RecursionError) as exc:
        raise Refusal("not_json") from exc


def count_values(document: bytes) -> int:
    """How many JSON values the document holds at most, counted on its bytes before it is parsed.

    ``check_shape`` counts the document itself and every member or element of every object and
    array. In JSON text that is 1 + the commas + the non-empty objects and arrays; this counts
    every ``,``, ``[`` and ``{`` byte, so it is an upper bound: also an empty ``[]`` counts, and
    these bytes inside strings. A valid export has none inside its strings (registered software
    names, versions, dates, codes; its keys are the format's names), so for every valid export
    the count is at most its empty containers above the parsed count, far within the bound.
    Three byte counts in C: about a millisecond for a megabyte, and no object is built.
    """
    return 1 + document.count(b",") + document.count(b"[") + document.count(b"{")


def check_value_count(document: bytes) -> None:
    """Refuse (422 ``export_too_complex``) a document with more values than an export can have,
    before ``json.loads`` builds them.

    Why before: the parsed form of a hostile megabyte (a hundred thousand unknown keys, half a
    million numbers) costs 5-22 MB of Python objects, and the uploader parses two at once while
    twenty more wait (issue 18: 447 MB peak). Counted on the bytes, such a document costs nothing
    beyond the bytes themselves. A document that is not JSON at all but holds that many commas or
    brackets gets this answer instead of ``not_json``: both are 422, and neither is an export.
    """
    if count_values(document) > MAX_JSON_VALUES:
        raise Refusal("export_too_complex", detail=f"more than {MAX_JSON_VALUES} JSON values")


def parsed_document(document: bytes):
    """The parsed document of an upload, every bound checked: the number of values on the bytes
    (before parsing), then duplicate keys and readability (while parsing), then the values and
    the depth of the parsed document (before the format's full validation)."""
    check_value_count(document)
    parsed = parse_json(document)
    check_shape(parsed)
    return parsed


def check_shape(document) -> None:
    """Refuse (422 ``export_too_complex``) what cannot be an export before validating it fully.

    A walk over the parsed containers with a stack: no recursion, memory in proportion to the
    number of containers waiting. Each container adds its length to the count at once (``len``
    is free), so a list of a million numbers is refused without looking at one of them, and the
    walk stops at the first bound passed: it costs well under a millisecond for a real export
    and at most MAX_JSON_VALUES steps for any document. Unknown keys are left to the full
    validation (which names each), their number bounded here.
    """
    if not isinstance(document, dict):
        return  # the full validation answers "an object was expected" cheaply
    values = 1
    stack = [(document, 1)]
    while stack:
        container, depth = stack.pop()
        items = container.values() if type(container) is dict else container
        values += len(items)
        if values > MAX_JSON_VALUES:
            raise Refusal("export_too_complex", detail=f"more than {MAX_JSON_VALUES} JSON values")
        # The kinds of the members in C first: most containers of an export hold only numbers
        # (histograms, counts), and only those holding a container are gone through one by
        # one (0.83 → 0.42 ms per 80 KB export). json.loads builds exactly dict and list.
        kinds = set(map(type, items))
        if dict in kinds or list in kinds:
            if depth >= MAX_JSON_DEPTH:
                raise Refusal("export_too_complex", detail=f"nested deeper than {MAX_JSON_DEPTH}")
            stack.extend((value, depth + 1) for value in items if type(value) in _CONTAINERS)


_CONTAINERS = (dict, list)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
