"""Bounded intake: every step from bytes to a parsed document has a limit."""

import json
import tracemalloc
from pathlib import Path

import pytest

from parabench.uploads import documents
from parabench.uploads.refusals import Refusal
from tests.uploads.exports import as_format_1_0, export_bytes, make_export

ROOT = Path(__file__).resolve().parents[2]
MEGABYTE = 1024 * 1024


def _code(call) -> str:
    with pytest.raises(Refusal) as refused:
        call()
    return refused.value.code


def test_a_real_export_fits_the_limits_ten_times_over(settings):
    body = export_bytes(make_export("04123451", patients=400))
    assert 10 * len(body) <= settings.UPLOAD_MAX_DECOMPRESSED_BYTES
    document = documents.parse_json(body)
    documents.check_shape(document)  # no refusal


def test_duplicate_keys_are_refused_with_their_own_code():
    assert documents.parse_json(b'{"a": 1, "b": {"a": 2}}') == {"a": 1, "b": {"a": 2}}
    # The standard parser would silently keep the last value.
    assert json.loads(b'{"a": 1, "a": 2}') == {"a": 2}
    assert _code(lambda: documents.parse_json(b'{"a": 1, "a": 2}')) == "json_duplicate_key"
    assert _code(lambda: documents.parse_json(b'{"x": [{"k": 1, "k": 1}]}')) == (
        "json_duplicate_key"
    )


def test_a_document_with_more_values_than_an_export_can_have_is_refused_before_validation():
    flat = {f"k{n}": 0 for n in range(documents.MAX_JSON_VALUES)}
    assert _code(lambda: documents.check_shape(flat)) == "export_too_complex"
    long_list = {"windows": [0] * documents.MAX_JSON_VALUES}
    assert _code(lambda: documents.check_shape(long_list)) == "export_too_complex"


def test_a_document_nested_deeper_than_an_export_is_refused():
    deep = {"a": 1}
    for _ in range(documents.MAX_JSON_DEPTH):
        deep = {"a": [deep]}
    assert _code(lambda: documents.check_shape(deep)) == "export_too_complex"


def test_nesting_too_deep_for_the_parser_is_not_json():
    assert _code(lambda: documents.parse_json(b"[" * 100_000 + b"]" * 100_000)) == "not_json"


def test_a_plain_body_over_the_decompressed_limit_is_too_large():
    assert _code(lambda: documents.decompress(b"x" * 11, "identity", limit=10)) == "body_too_large"


def test_a_document_exactly_at_the_bounds_is_not_refused_by_the_shape_check():
    # The document itself counts as one value, as does each value in it.
    full = {f"k{n}": 0 for n in range(documents.MAX_JSON_VALUES - 1)}
    documents.check_shape(full)
    deepest = 0
    for _ in range(documents.MAX_JSON_DEPTH):
        deepest = {"a": deepest}
    documents.check_shape(deepest)
    assert _code(lambda: documents.check_shape({"a": deepest})) == "export_too_complex"
    full["one_more"] = 0
    assert _code(lambda: documents.check_shape(full)) == "export_too_complex"


# --- Counting before parsing (issue 18: 447 MB peak under hostile bodies) ----------------------


def _hostile_megabytes() -> dict[str, bytes]:
    """Documents of one MiB (the decompressed limit) that only their number of values makes
    hostile: 100,000 unknown keys, half a million numbers, nesting half a million deep."""
    valid = make_export("04123451")
    room = MEGABYTE - len(export_bytes(valid))
    keys, size = {}, 0
    while size + 12 < room:
        keys[f"x{len(keys)}"] = 0
        size += len(f"x{len(keys) - 1}") + 5  # "xN":0,
    without_windows = len(export_bytes({**valid, "windows": []}))
    return {
        "keys": export_bytes({**valid, "software": {**valid["software"], **keys}}),
        "numbers": export_bytes({**valid, "windows": [0] * ((MEGABYTE - without_windows) // 2)}),
        "deep": b"[" * (MEGABYTE // 2) + b"]" * (MEGABYTE // 2),
    }


def _peak_bytes(call) -> tuple[int, str | None]:
    """Peak memory Python allocated during ``call`` (tracemalloc), and its refusal code."""
    tracemalloc.start()
    code = None
    try:
        call()
    except Refusal as refusal:
        code = refusal.code
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, code


def test_a_megabyte_of_values_is_refused_before_it_is_parsed_for_a_fraction_of_the_memory():
    for name, document in _hostile_megabytes().items():
        assert 0.95 * MEGABYTE < len(document) <= MEGABYTE, name
        unsafe_peak, unsafe_code = _peak_bytes(
            lambda document=document: documents.check_shape(documents.parse_json(document))
        )
        peak, code = _peak_bytes(lambda document=document: documents.parsed_document(document))
        assert code == "export_too_complex", name
        # Nothing was built: the refusal costs less than a tenth of the document's own bytes.
        assert peak < len(document) / 10, (name, peak)
        if name == "deep":
            # The parser gives up on its own (recursion) before building much: not_json then.
            assert unsafe_code == "not_json"
            continue
        # Parsed first (the path before), the same refusal came after megabytes of objects.
        assert unsafe_code == "export_too_complex"
        assert unsafe_peak > 3 * len(document) and unsafe_peak > 50 * peak, (name, unsafe_peak)


def test_the_count_before_parsing_refuses_one_value_beyond_the_bound():
    limit = documents.MAX_JSON_VALUES
    # The document, its one key's array, and limit - 2 numbers in it: exactly the bound.
    at_bound = b'{"k":[' + b",".join([b"0"] * (limit - 2)) + b"]}"
    assert documents.count_values(at_bound) == limit
    assert documents.parsed_document(at_bound) == {"k": [0] * (limit - 2)}
    beyond = at_bound.replace(b"[0,", b"[0,0,", 1)
    assert documents.count_values(beyond) == limit + 1
    assert _code(lambda: documents.parsed_document(beyond)) == "export_too_complex"


def test_commas_and_brackets_inside_strings_count_too_and_only_invalid_exports_have_them():
    # An upper bound, not an exact count: a string full of commas is one value but counts as
    # many. No string of a valid export (registered names, versions, dates, codes) holds one.
    stuffed = json.dumps({"software": {"name": "," * documents.MAX_JSON_VALUES}}).encode()
    assert _code(lambda: documents.parsed_document(stuffed)) == "export_too_complex"
    documents.check_shape(json.loads(stuffed))  # parsed, it would have passed the shape check


def _valid_exports() -> dict[str, bytes]:
    """The valid conformance vectors, the examples of both formats, and exports the export
    client generates for small and large practices, compact and indented."""
    exports = {
        path.relative_to(ROOT).as_posix(): path.read_bytes()
        for path in [
            *sorted((ROOT / "conformance" / "valid").glob("*.json")),
            ROOT / "docs" / "example-export.json",
            ROOT / "docs" / "example-export-1.0.json",
        ]
    }
    for patients in (12, 400, 3000):
        document = make_export("04123451", patients=patients, therapists=12)
        exports[f"generated 1.1, {patients} patients"] = export_bytes(document)
        exports[f"generated 1.1, {patients} patients, indented"] = json.dumps(
            document, indent=2
        ).encode()
        exports[f"generated 1.0, {patients} patients"] = export_bytes(as_format_1_0(document))
    return exports


def test_every_valid_export_passes_the_count_before_parsing_with_room_to_spare():
    for name, body in _valid_exports().items():
        parsed = documents.parsed_document(body)
        assert parsed == json.loads(body), name
        # No string of a real export holds a comma or bracket, so the count on the bytes is
        # the parsed count plus the empty arrays and objects: within half the bound.
        assert [s for s in _strings(parsed) if any(c in s for c in ",[{")] == [], name
        counted = documents.count_values(body)
        assert _values(parsed) <= counted <= documents.MAX_JSON_VALUES / 2, (name, counted)


def test_the_invalid_conformance_vectors_keep_the_answers_of_the_full_validation():
    # Each is refused for its own problem (the conformance kit checks which); none of them
    # comes near the count, so none is answered export_too_complex instead.
    for path in sorted((ROOT / "conformance" / "invalid").glob("*.json")):
        counted = documents.count_values(path.read_bytes())
        assert counted <= documents.MAX_JSON_VALUES / 2, (path.name, counted)


def _strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _values(value) -> int:
    """The values of a parsed document as ``check_shape`` counts them."""
    if isinstance(value, dict | list):
        items = value.values() if isinstance(value, dict) else value
        return 1 + sum(_values(item) for item in items)
    return 1
