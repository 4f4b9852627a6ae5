"""validate_export: every problem with its JSON path, a code, a Dutch and an English message.

Each test breaks one thing in the valid example (golden records, year 2025, windows Q1 … Q4, then
Q1-Q2 at index 4, Q1-Q3 at 5, Q1-Q4 at 6) and looks for the problem it must cause.
"""

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parabench_format import validate_export
from parabench_format.models import SOFTWARE_NAMES
from tests.format.conftest import EXAMPLE, EXAMPLE_1_0


def problems(document):
    return [(p.path, p.code) for p in validate_export(document).problems]


def assert_problem(document, path, code):
    found = problems(document)
    assert (path, code) in found, found


# --- Shape ---------------------------------------------------------------------------------------


def test_the_example_has_no_problems(document):
    report = validate_export(document)
    assert report.ok
    assert report.export is not None
    assert report.to_dict() == {"ok": True, "problems": []}


def test_bytes_that_are_not_json_give_one_problem_at_the_root():
    report = validate_export(b"{not json")
    assert [(p.path, p.code) for p in report.problems] == [("$", "json_invalid")]
    assert report.problems[0].message == "Dit is geen geldige JSON."


def test_an_unknown_field_is_refused_wherever_it_is(document):
    document["remarks"] = "gezellige praktijk"
    document["windows"][2]["patients"]["names"] = ["Jan"]
    found = problems(document)
    assert ("$.remarks", "extra_forbidden") in found
    assert ("$.windows[2].patients.names", "extra_forbidden") in found


def test_every_problem_is_returned_not_only_the_first(document):
    document["windows"][0]["sessions"]["total"] = -1
    document["windows"][3]["therapists"]["count"] = "twee"
    del document["year_closed"]
    assert set(problems(document)) >= {
        ("$.windows[0].sessions.total", "greater_than_equal"),
        ("$.windows[3].therapists.count", "int_type"),
        ("$.year_closed", "missing"),
    }


def test_a_negative_count_gets_a_dutch_and_an_english_message(document):
    document["windows"][1]["episodes"]["active"] = -3
    (problem,) = validate_export(document).problems
    assert problem.path == "$.windows[1].episodes.active"
    assert problem.code == "greater_than_equal"
    assert problem.message == "De waarde moet minstens 0 zijn."
    assert "greater than or equal to 0" in problem.message_en


def test_a_count_above_the_bound_is_refused(document):
    document["windows"][0]["patients"]["total"] = 10_000_001
    assert_problem(document, "$.windows[0].patients.total", "less_than_equal")


@pytest.mark.parametrize("value", [2.0, "2", True])
def test_a_count_must_be_a_whole_json_number(document, value):
    document["windows"][0]["patients"]["new"] = value
    found = [p for p in validate_export(document).problems if p.path.endswith("patients.new")]
    assert len(found) == 1
    assert found[0].code in {"int_type", "int_from_float"}
    assert found[0].message.startswith("Hier hoort een geheel getal")


# What the format allowed before issue 12 (item 4): each smuggled value below fitted these, so the
# tests show that the old rules let it through and the present ones refuse it with a precise code.
OLD_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,39}$"
OLD_VERSION_PATTERN = r"^[0-9]{1,4}(\.[0-9]{1,4}){0,3}([-+][A-Za-z0-9.]{1,16})?$"


@pytest.mark.parametrize(
    "name",
    ["Jan Jansen 01-01-1950", "BSN 123456782", "parabench-client 1950", "Intramed.Jansen"],
)
def test_a_software_name_outside_the_registry_is_refused(document, name):
    assert re.fullmatch(OLD_NAME_PATTERN, name)  # the old rule carried it
    document["software"]["name"] = name
    (problem,) = validate_export(document).problems
    assert (problem.path, problem.code) == ("$.software.name", "software_unknown")
    assert "register" in problem.message and "parabench-client" in problem.message


def test_every_registered_name_is_accepted(document):
    for name in SOFTWARE_NAMES:
        document["software"]["name"] = name
        assert validate_export(document).ok, name


@pytest.mark.parametrize(
    "version", ["1234.5678.9", "123.456.782", "1.1950-01.01", "7.2+Jansen", "01.03.1950", "7.2.1.5"]
)
def test_a_version_that_could_carry_a_bsn_or_a_date_is_refused(document, version):
    assert re.fullmatch(OLD_VERSION_PATTERN, version)
    document["software"]["version"] = version
    (problem,) = validate_export(document).problems
    assert (problem.path, problem.code) == ("$.software.version", "software_version_invalid")


@pytest.mark.parametrize("version", ["7.2", "7.2.15", "0.2.0", "99.99.999"])
def test_ordinary_versions_are_accepted(document, version):
    document["software"]["version"] = version
    assert validate_export(document).ok


@pytest.mark.parametrize(
    "moment",
    [
        "2026-01-15T10:00:00.123456782+01:00",
        "2026-01-15T10:00:00.5Z",
        "2026-01-15 10:00:00+01:00",
        "2026-01-15T10:00+01:00",
    ],
)
def test_the_export_moment_is_whole_seconds_in_one_spelling(document, moment):
    document["exported_at"] = moment
    (problem,) = validate_export(document).problems
    assert (problem.path, problem.code) == ("$.exported_at", "exported_at_format")


def test_the_export_moment_may_be_in_utc(document):
    document["exported_at"] = "2026-01-15T09:00:00Z"
    assert validate_export(document).ok


def test_a_year_before_2000_is_refused(document):
    document["period"] = {"begin": "1850-01-01", "end": "1850-12-31"}
    found = problems(document)
    assert ("$.period.begin", "year_out_of_range") in found
    assert ("$.period.end", "year_out_of_range") in found


def test_an_export_without_any_session_is_refused(document):
    for window in document["windows"]:
        window["sessions"]["total"] = 0
    found = problems(document)
    assert ("$.windows[6].sessions.total", "no_sessions") in found


@pytest.mark.parametrize("agb", ["4123451", "0412345A", "041234510", 4123451])
def test_the_agb_code_is_eight_digits_as_text(document, agb):
    document["practice"]["agb_code"] = agb
    found = problems(document)
    assert any(path == "$.practice.agb_code" for path, _ in found), found


def test_another_format_version_is_refused(document):
    document["format"] = "parabench-mi/2"
    (problem,) = validate_export(document).problems
    assert (problem.path, problem.code) == ("$.format", "literal_error")
    assert "parabench-mi/1" in problem.message


def test_the_export_time_needs_a_time_zone(document):
    document["exported_at"] = "2026-01-15T10:00:00"
    assert_problem(document, "$.exported_at", "exported_at_format")


def test_a_histogram_must_have_every_bin(document):
    document["windows"][0]["closed_episodes"]["chronic"]["sessions_histogram"].pop()
    assert_problem(document, "$.windows[0].closed_episodes.chronic.sessions_histogram", "too_short")


def test_no_problem_message_is_left_generic(document):
    document["windows"][0]["patients"] = []
    document["period"]["begin"] = "1 januari"
    for problem in validate_export(document).problems:
        assert problem.message != "Deze waarde is ongeldig.", problem


def test_a_dict_that_cannot_be_json_is_refused():
    report = validate_export({"format": float("nan")})
    assert [p.code for p in report.problems] == ["json_invalid"]


# --- Consistency within a window -----------------------------------------------------------------


def test_patients_by_gender_and_age_must_add_up_to_the_patients(document):
    document["windows"][0]["patients"]["by_gender_age"]["male"]["age_18_29"] = 1
    assert_problem(document, "$.windows[0].patients.by_gender_age", "sum_mismatch")


def test_patients_by_insurer_must_add_up_to_the_patients(document):
    document["windows"][1]["patients"]["by_insurer"]["cz"] = 1
    assert_problem(document, "$.windows[1].patients.by_insurer", "sum_mismatch")


def test_new_patients_cannot_outnumber_the_patients(document):
    document["windows"][0]["patients"]["new"] = 3
    assert_problem(document, "$.windows[0].patients.new", "exceeds_limit")


def test_episodes_ended_cannot_exceed_episodes_active(document):
    document["windows"][0]["episodes"]["ended"] = 3
    assert_problem(document, "$.windows[0].episodes.ended", "exceeds_limit")


def test_started_episodes_by_access_route_must_add_up(document):
    document["windows"][0]["episodes"]["started_by_access_route"]["gp"] = 1
    assert_problem(document, "$.windows[0].episodes.started_by_access_route", "sum_mismatch")


def test_sessions_by_type_and_by_payer_must_add_up(document):
    document["windows"][2]["sessions"]["by_type"]["group"] = 4
    document["windows"][2]["sessions"]["by_payer"]["basic"] = 0
    assert_problem(document, "$.windows[2].sessions.by_type", "sum_mismatch")
    assert_problem(document, "$.windows[2].sessions.by_payer", "sum_mismatch")


def test_revenue_by_payer_and_by_insurer_must_add_up_and_agree_on_self_pay(document):
    document["windows"][0]["revenue"]["by_insurer"]["self_pay"] = 0
    document["windows"][0]["revenue"]["by_insurer"]["achmea"] = 22459
    assert_problem(document, "$.windows[0].revenue.by_insurer.self_pay", "self_pay_mismatch")


def test_closed_episodes_must_equal_episodes_ended(document):
    document["windows"][0]["episodes"]["ended"] = 0
    assert_problem(document, "$.windows[0].closed_episodes", "sum_mismatch")


def test_a_histogram_total_must_equal_the_closed_episodes(document):
    document["windows"][0]["closed_episodes"]["non_chronic"]["sessions_histogram"][4] = 2
    path = "$.windows[0].closed_episodes.non_chronic.sessions_histogram"
    assert_problem(document, path, "histogram_total")


def test_the_sessions_total_must_fit_the_histogram(document):
    document["windows"][0]["closed_episodes"]["non_chronic"]["sessions_total"] = 5
    path = "$.windows[0].closed_episodes.non_chronic.sessions_total"
    assert_problem(document, path, "histogram_sum")


def test_the_duration_total_must_fit_the_weeks_histogram(document):
    document["windows"][0]["closed_episodes"]["non_chronic"]["duration_days_total"] = 70
    path = "$.windows[0].closed_episodes.non_chronic.duration_days_total"
    assert_problem(document, path, "histogram_sum")


def test_end_reasons_and_goals_belong_to_the_closed_episodes(document):
    side = document["windows"][0]["closed_episodes"]["non_chronic"]
    side["end_reasons"]["referred"] = 1
    side["goals_achieved"] = 2
    path = "$.windows[0].closed_episodes.non_chronic"
    assert_problem(document, f"{path}.end_reasons", "sum_mismatch")
    assert_problem(document, f"{path}.goals_achieved", "exceeds_limit")


def test_within_5_working_days_must_fit_the_waiting_histogram(document):
    document["windows"][1]["waiting"]["within_5_working_days"] = 0  # the 5-day wait must count
    assert_problem(document, "$.windows[1].waiting.within_5_working_days", "histogram_sum")


def test_chronic_episodes_cannot_exceed_the_active_episodes(document):
    document["windows"][3]["episodes"]["chronic_active"] = 3
    assert_problem(document, "$.windows[3].episodes.chronic_active", "exceeds_limit")


def test_patients_cannot_outnumber_the_sessions(document):
    document["windows"][2]["sessions"]["total"] = 1
    assert_problem(document, "$.windows[2].patients.total", "exceeds_limit")


def test_waiting_episodes_cannot_exceed_the_active_episodes(document):
    waiting = document["windows"][2]["waiting"]
    waiting["episodes"] = 3
    waiting["days_histogram"][2] = 3
    waiting["days_total"] = 6
    waiting["within_5_working_days"] = 3
    assert_problem(document, "$.windows[2].waiting.episodes", "exceeds_limit")


def test_there_is_no_fte_without_therapists(document):
    document["windows"][0]["therapists"]["count"] = 0
    assert_problem(document, "$.windows[0].therapists.fte_hundredths", "exceeds_limit")


# --- Consistency across windows ------------------------------------------------------------------


def test_a_year_to_date_count_cannot_be_below_a_quarter_inside_it(document):
    document["windows"][4]["patients"]["total"] = 2  # Q1-Q2 below Q2's 3
    assert_problem(document, "$.windows[4].patients.total", "window_below_part")


def test_a_longer_year_to_date_count_cannot_be_below_a_shorter_one(document):
    document["windows"][5]["episodes"]["active"] = 3  # Q1-Q3 below Q1-Q2's 4
    assert_problem(document, "$.windows[5].episodes.active", "window_below_part")


def test_a_distinct_count_cannot_exceed_the_sum_of_its_quarters(document):
    document["windows"][6]["therapists"]["count"] = 9
    assert_problem(document, "$.windows[6].therapists.count", "window_above_quarters")


def test_additive_numbers_of_a_year_to_date_window_are_the_sum_of_its_quarters(document):
    document["windows"][6]["sessions"]["no_shows"] = 0
    assert_problem(document, "$.windows[6].sessions.no_shows", "window_not_quarter_sum")


def test_windows_must_be_exactly_those_of_the_period(document):
    del document["windows"][5]
    assert_problem(document, "$.windows", "windows_mismatch")


def test_a_window_must_have_its_own_dates(document):
    document["windows"][1]["begin"] = "2025-03-31"
    assert_problem(document, "$.windows[1]", "window_dates")


# --- Period and trend ----------------------------------------------------------------------------


def test_the_period_must_begin_on_1_january(document):
    document["period"]["begin"] = "2025-04-01"
    assert_problem(document, "$.period", "period_not_from_january")


def test_the_period_must_end_on_a_quarter_end_within_the_year(document):
    document["period"]["end"] = "2025-11-30"
    assert_problem(document, "$.period", "period_not_quarter_end")
    document["period"]["end"] = "2026-03-31"
    assert_problem(document, "$.period", "period_not_one_year")


def test_the_period_cannot_reach_past_the_last_complete_quarter_at_export(document):
    document["exported_at"] = "2025-12-20T09:00:00+01:00"
    assert_problem(document, "$.period", "period_incomplete_quarter")


def test_the_trend_must_have_every_month_up_to_the_export_date(document):
    del document["trend"][7]
    assert_problem(document, "$.trend", "trend_mismatch")


def test_the_trend_months_must_add_up_to_their_quarter(document):
    document["trend"][0]["sessions"] += 1
    assert_problem(document, "$.windows[0].sessions.total", "trend_not_window_sum")


def test_a_quarter_has_no_fewer_patients_than_its_busiest_month(document):
    document["trend"][0]["patients"] = 3  # January above Q1's 2 patients
    assert_problem(document, "$.windows[0].patients.total", "trend_patients")


def test_the_report_serialises_for_the_upload_protocol(document):
    document["windows"][0]["episodes"]["ended"] = 3
    data = validate_export(json.dumps(document).encode()).to_dict()
    assert data["ok"] is False
    assert set(data["problems"][0]) == {"path", "code", "message", "message_en"}


# --- Never an exception --------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, (*path, index))
    else:
        yield path


LEAVES = list(_leaves(json.loads(EXAMPLE.read_text(encoding="utf-8"))))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LEAVES), JSON_VALUES), min_size=1, max_size=4))
def test_any_change_to_a_valid_export_gives_a_report_never_an_exception(changes):
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for path, value in changes:
        target = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    report = validate_export(json.dumps(document).encode())
    for problem in report.problems:
        assert problem.path.startswith("$")
        assert problem.message and problem.message_en


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_any_json_document_gives_a_report_never_an_exception(value):
    report = validate_export(json.dumps(value).encode())
    assert not report.ok


# --- Format 1.1: case mix and outcome measures ----------------------------------------------------
# The example's Q1 (index 0) holds one closed episode: non-chronic, spine, aged 44, 4 sessions over
# 81 days, NPRS 7 → 3 and PSK 6.3 → 4.7.


def test_a_1_0_export_is_still_valid_and_a_1_1_part_in_it_is_refused():
    document = json.loads(EXAMPLE_1_0.read_bytes())
    assert validate_export(document).ok
    document["windows"][2]["outcomes"] = None  # even as null: 1.0 does not know the field
    assert problems(document) == [("$.windows[2].outcomes", "extra_forbidden")]


def test_a_1_1_export_needs_case_mix_and_outcomes_in_every_window(document):
    del document["windows"][1]["case_mix"]
    document["windows"][5]["outcomes"] = None
    assert problems(document) == [
        ("$.windows[1].case_mix", "missing"),
        ("$.windows[5].outcomes", "missing"),
    ]


def test_the_cells_of_a_side_add_up_to_its_closed_episodes(document):
    cell = document["windows"][0]["case_mix"]["non_chronic"]["spine"]["age_18_44"]
    cell["sessions_total"] += 1
    document["windows"][0]["case_mix"]["non_chronic"]["spine"]["age_45_64"]["episodes"] = 1
    found = problems(document)
    assert found.count(("$.windows[0].case_mix.non_chronic", "sum_mismatch")) == 2
    # … and the year-to-date windows no longer hold the sum of their quarters
    assert ("$.windows[4].case_mix.non_chronic.spine.age_18_44.sessions_total",
            "window_not_quarter_sum") in found  # fmt: skip


@pytest.mark.parametrize(
    ("squares", "code"),
    [(15, "cell_spread"), (16, None), (17, "cell_spread")],  # one episode of 4 sessions: 4² = 16
)
def test_the_squares_of_a_cell_fit_its_sums(document, squares, code):
    for index in (0, 4, 5, 6):  # Q1 and every year-to-date window holding it
        cells = document["windows"][index]["case_mix"]["non_chronic"]["spine"]["age_18_44"]
        cells["sessions_squares_total"] += squares - 16
    path = "$.windows[0].case_mix.non_chronic.spine.age_18_44.sessions_squares_total"
    found = problems(document)
    assert (path, "cell_spread") in found if code else found == []


def test_a_cell_without_episodes_has_no_sessions(document):
    document["windows"][2]["case_mix"]["chronic"]["head_neck"]["age_0_17"]["sessions_total"] = 3
    document["windows"][2]["closed_episodes"]["chronic"]["sessions_total"] += 3
    assert ("$.windows[2].case_mix.chronic.head_neck.age_0_17", "cell_without_episodes") in (
        problems(document)
    )


def test_a_group_holds_no_more_closed_than_active_episodes(document):
    q1 = document["windows"][0]
    moved = q1["case_mix"]["non_chronic"]["spine"].pop("age_18_44")
    q1["case_mix"]["non_chronic"]["spine"]["age_18_44"] = dict.fromkeys(moved, 0)
    q1["case_mix"]["non_chronic"]["thorax_abdomen"]["age_18_44"] = moved
    assert ("$.windows[0].case_mix.thorax_abdomen", "exceeds_limit") in problems(document)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("measured", 2, "exceeds_limit"),  # Q1 closed one episode
        ("improved", 2, "exceeds_limit"),  # more than measured
        ("baseline_tenths_total", 101, "exceeds_limit"),  # above 10 points for one episode
        ("change_squares_total", 10_001, "exceeds_limit"),
        ("change_squares_total", 1599, "outcome_spread"),  # a change of 40 needs at least 1600
    ],
)
def test_outcome_numbers_must_be_possible(document, field, value, code):
    document["windows"][0]["outcomes"]["nprs"][field] = value
    assert (f"$.windows[0].outcomes.nprs.{field}", code) in problems(document)


def test_outcome_sums_are_whole_non_negative_numbers(document):
    document["windows"][0]["outcomes"]["psk"]["final_tenths_total"] = 4.7
    document["windows"][0]["outcomes"]["psk"]["baseline_tenths_total"] = -1
    assert set(problems(document)) == {
        ("$.windows[0].outcomes.psk.final_tenths_total", "int_type"),
        ("$.windows[0].outcomes.psk.baseline_tenths_total", "greater_than_equal"),
    }


@pytest.mark.parametrize("document", [EXAMPLE, EXAMPLE_1_0], ids=["1.1", "1.0"])
def test_the_rules_across_windows_read_every_number_of_a_window_in_the_order_of_its_dump(document):
    from parabench_format import validate
    from parabench_format.models import Export

    export = Export.model_validate_json(document.read_bytes())
    for window in export.windows:
        dumped = [value for _path, value in validate._flat("", validate._dump(window))]
        assert validate._numbers(window) == dumped


_CELL_NUMBERS = st.one_of(st.just(0), st.integers(0, 12), st.integers(0, 10**15))


@settings(max_examples=500)
@given(st.tuples(*[_CELL_NUMBERS] * 5))
def test_a_case_mix_cell_fits_exactly_when_its_rules_find_nothing(numbers):
    from parabench_format import validate
    from parabench_format.models import CaseMixCell

    # Built without the model's bounds: the rules hold whatever the numbers.
    cell = CaseMixCell.model_construct(**dict(zip(CaseMixCell.model_fields, numbers, strict=True)))
    collector = validate._Collector()
    validate._check_cell(collector, "$.cell", cell)
    fits = validate._cell_fits(cell.episodes, cell.sessions_total, cell.duration_days_total, cell)
    assert fits == (not collector.problems)


def test_the_numbers_of_a_part_are_read_as_deep_as_its_type_says():
    from parabench_format import models, validate

    depths = {
        models.AgeBands: 1,
        models.GenderAge: 2,
        models.CaseMixCell: 1,
        models.CaseMixAges: 2,
        models.CaseMix: 4,
        models.Outcomes: 2,
        models.Patients: 0,
        models.ClosedEpisodes: 0,
    }
    assert {model: validate._number_depth(model) for model in depths} == depths
    export = models.Export.model_validate_json(EXAMPLE.read_bytes())
    case_mix = export.windows[0].case_mix
    assert list(validate._values(case_mix)) == [
        value for _path, value in validate._flat("", case_mix.model_dump())
    ]
