"""Byte strings and a small JSON header in one byte string, and back: for what one process works
out and another stores (``uploads.prepared``, ``benchmark.ingest.packed_rows``).

The header says how long each part is; the parts follow as they are. Why not pickle: loading a
pickle runs code. Why not base64 inside JSON: a third more bytes to store and to decode, for
KPI vectors and case-mix cells that are binary already. A leaf module: it imports no app.
"""

import json
import struct

_SIZE = struct.Struct("<I")


def joined(header: dict, parts: list[bytes]) -> bytes:
    """``header`` (JSON, without the key "parts") and ``parts`` as one byte string."""
    head = json.dumps({**header, "parts": [len(part) for part in parts]}, separators=(",", ":"))
    head = head.encode()
    return _SIZE.pack(len(head)) + head + b"".join(parts)


def split(data: bytes) -> tuple[dict, list[bytes]]:
    """The header and the parts of a ``joined`` byte string; ValueError when it is not one."""
    data = bytes(data)
    try:
        (size,) = _SIZE.unpack_from(data)
        header = json.loads(data[_SIZE.size : _SIZE.size + size])
        lengths = header.pop("parts")
    except (struct.error, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"not a joined byte string: {exc}") from None
    parts, at = [], _SIZE.size + size
    for length in lengths:
        parts.append(data[at : at + length])
        at += length
    if at != len(data):
        raise ValueError(f"not a joined byte string: {len(data) - at} bytes left over")
    return header, parts
