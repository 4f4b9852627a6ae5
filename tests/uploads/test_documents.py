"""Bounded intake: every step from bytes to a parsed document has a limit."""

import json

import pytest

from parabench.uploads import documents
from parabench.uploads.refusals import Refusal
from tests.uploads.exports import export_bytes, make_export


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
