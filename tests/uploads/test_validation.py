from datetime import date

import pytest

from parabench.uploads import validation
from parabench.uploads.refusals import Refusal
from parabench.uploads.validation import MAX_PROBLEMS, validated_export
from tests.uploads.exports import make_export

TODAY = date(2026, 6, 15)
AGB = "04123451"


def _refusal(document, today=TODAY) -> Refusal:
    with pytest.raises(Refusal) as refused:
        validated_export(document, today=today)
    return refused.value


def test_a_valid_export_passes():
    export = validated_export(make_export("04123451", year=2025, today=TODAY), today=TODAY)
    assert export.period.begin == date(2025, 1, 1) and export.period.end == date(2025, 12, 31)


def test_another_format_version_is_format_unsupported():
    document = make_export("04123451", year=2025, today=TODAY)
    for version in ("parabench-mi/2", None):
        refusal = _refusal({**document, "format": version})
        assert refusal.code == "format_unsupported"
        assert refusal.problems[0]["path"] == "$.format"


def test_a_period_not_from_the_first_of_january_is_period_invalid():
    document = make_export("04123451", year=2025, today=TODAY)
    document["period"]["begin"] = "2025-02-01"
    refusal = _refusal(document)
    assert refusal.code == "period_invalid"
    assert "period_not_from_january" in {p["code"] for p in refusal.problems}


def test_a_period_across_two_years_is_period_invalid():
    document = make_export("04123451", year=2025, today=TODAY)
    document["period"]["end"] = "2026-03-31"
    refusal = _refusal(document)
    assert refusal.code == "period_invalid"
    assert "period_not_one_year" in {p["code"] for p in refusal.problems}


def test_the_upload_day_decides_the_last_complete_quarter_too():
    # Made (so it says) on 15 June 2026, when Q1 2026 was complete, but it arrives on 30 March
    # 2026, before Q1 ended: the upload day's rule refuses it.
    document = make_export("04123451", year=2026, today=TODAY)
    refusal = _refusal(document, today=date(2026, 3, 30))
    assert refusal.code == "period_invalid"
    assert {p["code"] for p in refusal.problems} == {"period_incomplete_quarter"}


def test_schema_problems_are_all_listed_with_their_paths():
    document = make_export("04123451", year=2025, today=TODAY)
    document["windows"][1]["sessions"]["total"] = "veel"
    document["year_closed"] = "ja"
    document["extra"] = 1
    refusal = _refusal(document)
    assert refusal.code == "schema_invalid"
    paths = {p["path"] for p in refusal.problems}
    assert {"$.windows[1].sessions.total", "$.year_closed", "$.extra"} <= paths
    assert all(p["message"] and p["message_en"] and p["code"] for p in refusal.problems)


def test_a_document_that_is_not_an_object_is_schema_invalid():
    assert _refusal([1, 2, 3]).code == "schema_invalid"


def test_a_missing_period_is_a_schema_error_not_period_invalid():
    document = make_export(AGB, year=2025, today=TODAY)
    del document["period"]
    refusal = _refusal(document)
    assert refusal.code == "schema_invalid"
    assert ("$.period", "missing") in {(p["path"], p["code"]) for p in refusal.problems}


def test_a_refusal_lists_at_most_a_hundred_problems_and_says_how_many_there_were():
    document = make_export(AGB, year=2025, today=TODAY)
    document["software"].update({f"extra{n}": n for n in range(5_000)})
    refusal = _refusal(document)
    assert refusal.code == "schema_invalid"
    assert len(refusal.problems) == MAX_PROBLEMS == 100
    assert refusal.detail == "100 of 5000 problems listed"


def test_the_keys_and_strings_of_a_valid_export_are_half_its_quotes():
    from parabench_format.models import Export
    from tests.format.conftest import EXAMPLE, EXAMPLE_1_0

    for path in (EXAMPLE, EXAMPLE_1_0):
        raw = path.read_bytes()
        assert b"\\" not in raw
        export = Export.model_validate_json(raw)
        assert validation._keys_and_strings(export) * 2 == raw.count(b'"')
