"""load_records: the CSV files, checked record by record, with a report per file and line."""

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from parabench_client.records import RecordsError, load_records

GOLDEN = Path(__file__).parent / "golden" / "records"


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "records"
    shutil.copytree(GOLDEN, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(folder: Path, name: str, line: str) -> None:
    with (folder / name).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def problems_of(folder: Path) -> list[tuple[str, int, str]]:
    with pytest.raises(RecordsError) as raised:
        load_records(folder)
    return [(p.file, p.line, p.code) for p in raised.value.problems if p.severity == "error"]


def test_the_golden_records_load_with_only_a_warning_for_an_unknown_insurer():
    records = load_records(GOLDEN)
    assert [(p.file, p.line, p.code, p.severity) for p in records.problems] == [
        ("patients.csv", 5, "uzovi_unknown", "warning")
    ]
    assert records.report.read == {
        "patients": 5,
        "episodes": 6,
        "sessions": 18,
        "therapists": 3,
        "measurements": 14,
    }
    assert records.report.kept == records.report.read
    assert records.patients["P-0004"].concern == "other"
    assert records.patients["P-0003"].concern == "self_pay"
    assert records.episodes["E-02"].end_date is None
    assert records.sessions[0].amount_cents == 4500
    assert records.sessions[3].amount_cents == 2000  # "20" is € 20,00
    assert records.therapists[1].fte_hundredths == 50
    assert records.therapists[1].start_date == date(2025, 4, 1)


def with_concerns(folder: Path, concerns: dict[str, str]) -> None:
    """Add the optional insurer_concern column to patients.csv, filled for the given patients."""
    path = folder / "patients.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",insurer_concern"]
    rows += [f"{line},{concerns.get(line.split(',')[0], '')}" for line in lines[1:]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_the_insurer_concern_column_wins_over_an_unknown_uzovi_code(folder):
    with_concerns(folder, {"P-0004": "cz"})

    records = load_records(folder)

    assert records.patients["P-0004"].concern == "cz"
    assert records.patients["P-0004"].insurer_uzovi == "9999"
    assert records.problems == []  # no uzovi_unknown warning: the concern is known


def test_the_insurer_concern_column_wins_over_a_known_uzovi_code(folder):
    with_concerns(folder, {"P-0001": "menzis"})

    assert load_records(folder).patients["P-0001"].concern == "menzis"


def test_an_empty_insurer_concern_falls_back_to_the_uzovi_code(folder):
    with_concerns(folder, {"P-0001": "achmea"})

    records = load_records(folder)

    assert records.patients["P-0002"].concern == "vgz"  # 7095 in the code list
    assert records.patients["P-0003"].concern == "self_pay"
    assert records.patients["P-0004"].concern == "other"
    assert [(p.line, p.code) for p in records.problems] == [(5, "uzovi_unknown")]


def test_a_patient_with_a_concern_but_no_uzovi_code_is_insured_by_that_concern(folder):
    with_concerns(folder, {"P-0003": "dsw"})
    # P-0003 had only self-pay sessions; now a session may be billed to the insurer
    edit(folder, "sessions.csv", "1001,self_pay,50.00", "1001,basic,50.00")

    records = load_records(folder)

    assert records.patients["P-0003"].concern == "dsw"
    assert records.patients["P-0003"].insurer_uzovi == ""


@pytest.mark.parametrize("value", ["CZ", "zilveren_kruis", "self_pay", "3311"])
def test_an_unknown_insurer_concern_is_an_error_with_file_and_line(folder, value):
    with_concerns(folder, {"P-0002": value})

    with pytest.raises(RecordsError) as raised:
        load_records(folder)

    problem = next(p for p in raised.value.problems if p.file == "patients.csv")
    assert (problem.file, problem.line, problem.code) == ("patients.csv", 3, "concern_invalid")
    assert problem.message.startswith(f"insurer_concern '{value}' is onbekend; kies uit achmea,")


def test_lenient_mode_drops_a_patient_with_an_unknown_concern_and_what_depends_on_it(folder):
    with_concerns(folder, {"P-0002": "unive"})

    records = load_records(folder, strict=False)

    assert "P-0002" not in records.patients
    assert records.report.dropped()["patients"] == 1


def test_a_missing_file_stops_even_a_lenient_export(folder):
    (folder / "therapists.csv").unlink()
    with pytest.raises(RecordsError) as raised:
        load_records(folder, strict=False)
    (problem,) = raised.value.report.errors
    assert (problem.file, problem.code) == ("therapists.csv", "file_missing")
    assert problem.message == "Het bestand therapists.csv ontbreekt in de map."


def test_a_missing_column_stops_with_the_column_named(folder):
    edit(folder, "sessions.csv", ",no_show\n", ",niet_nagekomen\n")
    with pytest.raises(RecordsError) as raised:
        load_records(folder, strict=False)
    problem = raised.value.problems[0]
    assert (problem.file, problem.line, problem.code) == ("sessions.csv", 1, "columns_missing")
    assert "no_show" in problem.message


def test_columns_in_another_order_and_an_extra_column_are_fine(folder):
    (folder / "therapists.csv").write_text(
        "end_date,note,fte,therapist_id,start_date\n,,0.8,T-9,\n", encoding="utf-8"
    )
    records = load_records(folder)
    assert records.therapists[0].fte_hundredths == 80
    assert "columns_unknown" in [p.code for p in records.problems]


@pytest.mark.parametrize(
    ("name", "old", "new", "line", "code"),
    [
        ("patients.csv", "P-0002,M,", "P-0002,V,", 3, "gender_invalid"),
        ("patients.csv", "2010-03-01", "01-03-2010", 3, "date_invalid"),
        ("patients.csv", ",7095", ",70950", 3, "uzovi_invalid"),
        ("patients.csv", "P-0003,F", "P-0002,F", 4, "duplicate_id"),
        ("episodes.csv", "E-01,P-0001", "E-01,P-9999", 2, "patient_unknown"),
        ("episodes.csv", "2025-01-02,2025-01-06", "2025-01-07,2025-01-06", 2, "dates_out_of_order"),
        ("episodes.csv", "2025-09-03,2025-12-17", "2025-09-03,2025-08-17", 5, "dates_out_of_order"),
        ("episodes.csv", ",3400,0,direct", ",8400,0,direct", 2, "dcsph_unknown"),
        ("episodes.csv", ",0,direct,regular", ",0,walk_in,regular", 2, "access_route_invalid"),
        ("episodes.csv", ",9100,1,", ",9100,ja,", 4, "flag_invalid"),
        ("episodes.csv", "referred,1,0", ",1,0", 5, "end_reason_invalid"),
        ("episodes.csv", "gp,,,0", "gp,regular,,0", 3, "open_episode_closed_fields"),
        ("sessions.csv", "S-01,E-01", "S-01,E-99", 2, "episode_unknown"),
        ("sessions.csv", "S-02,E-01,2025-01-13", "S-02,E-01,2025-01-01", 3, "dates_out_of_order"),
        ("sessions.csv", "S-05,E-01,2025-03-28", "S-05,E-01,2025-03-29", 6, "dates_out_of_order"),
        ("sessions.csv", "1000,basic,36.53,0\nS-03", "1000,basic,36,53,0\nS-03", 3, "row_width"),
        ("sessions.csv", "basic,45.00", "basic,45.000", 2, "amount_invalid"),
        ("sessions.csv", "basic,45.00", "basic,-45.00", 2, "amount_invalid"),
        (
            "sessions.csv",
            "S-01,E-01,2025-01-06,1864",
            "S-01,E-01,2025-01-06,18a4",
            2,
            "performance_code_invalid",
        ),
        ("sessions.csv", "1000,self_pay,45.80", "1000,insurer,45.80", 11, "payer_invalid"),
        ("sessions.csv", "1001,self_pay,50.00", "1001,basic,50.00", 13, "payer_without_insurer"),
        ("sessions.csv", "36.53,0\nS-03", "36.53,2\nS-03", 3, "flag_invalid"),
        ("therapists.csv", "T-2,0.5", "T-2,0,5", 3, "row_width"),
        ("therapists.csv", "T-1,1.0", "T-1,2.5", 2, "fte_invalid"),
        (
            "therapists.csv",
            "2020-01-01,2025-02-14",
            "2025-03-01,2025-02-14",
            4,
            "dates_out_of_order",
        ),
    ],
)
def test_a_bad_record_is_reported_with_file_line_and_code(folder, name, old, new, line, code):
    edit(folder, name, old, new)
    assert (name, line, code) in problems_of(folder)


def test_every_bad_record_is_reported_not_only_the_first(folder):
    edit(folder, "patients.csv", "P-0002,M,", "P-0002,V,")
    edit(folder, "sessions.csv", "basic,45.00", "basic,45,00")
    append(folder, "sessions.csv", "S-99,E-77,2025-05-05,1000,basic,36.53,0")
    found = problems_of(folder)
    assert ("patients.csv", 3, "gender_invalid") in found
    assert ("sessions.csv", 2, "row_width") in found
    assert ("sessions.csv", 20, "episode_unknown") in found


def test_problems_read_as_dutch_sentences_with_file_and_line(folder):
    edit(folder, "episodes.csv", ",3400,0,direct", ",8400,0,direct")
    with pytest.raises(RecordsError) as raised:
        load_records(folder)
    assert str(raised.value.problems[0]) == (
        "episodes.csv, regel 2: fout: DCSPH-code '8400' is onbekend. [dcsph_unknown]"
    )
    assert raised.value.problems[0].message_en == "DCSPH code '8400' is unknown."
    # the five sessions and five measurements of the rejected episode are reported as
    # consequences, not as unknown
    assert [p.code for p in raised.value.problems[1:11]] == ["episode_rejected"] * 10
    assert raised.value.message.startswith("De praktijkgegevens bevatten 11 fout(en)")


def test_lenient_mode_drops_a_bad_patient_with_its_episodes_and_sessions(folder):
    edit(folder, "patients.csv", "P-0001,F,1980-05-10", "P-0001,F,1980-13-10")
    records = load_records(folder, strict=False)
    assert "P-0001" not in records.patients
    assert {"E-01", "E-04"}.isdisjoint(records.episodes)
    assert {s.episode_id for s in records.sessions}.isdisjoint({"E-01", "E-04"})
    assert records.report.dropped() == {
        "patients": 1,
        "episodes": 2,
        "sessions": 8,
        "therapists": 0,
        "measurements": 9,  # E-01's five and E-04's four
    }
    codes = [(p.file, p.code) for p in records.report.errors]
    assert codes.count(("episodes.csv", "patient_rejected")) == 2
    assert codes.count(("sessions.csv", "episode_rejected")) == 8


def test_a_file_with_a_byte_order_mark_reads_like_any_other(folder):
    path = folder / "therapists.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_records(folder).therapists) == 3


def test_a_windows_1252_file_is_read_with_a_warning_on_its_first_such_line(folder):
    (folder / "patients.csv").write_bytes(
        b"patient_id,gender,birth_date,insurer_uzovi\nP-1,F,1980-01-01,\nP-\xe9,F,1980-01-01,\n"
    )
    records = load_records(folder, strict=False)
    assert "P-é" in records.patients
    (warning,) = [p for p in records.problems if p.code == "encoding_windows_1252"]
    assert (warning.severity, warning.line) == ("warning", 3)
    assert "Opslaan als › 'CSV UTF-8" in warning.message


def test_a_file_that_is_neither_utf8_nor_windows_1252_names_the_line_and_the_excel_step(folder):
    (folder / "patients.csv").write_bytes(
        b"patient_id,gender,birth_date,insurer_uzovi\nP-\x81,F,1980-01-01,\n"
    )
    with pytest.raises(RecordsError) as raised:
        load_records(folder, strict=False)
    (problem,) = raised.value.problems
    assert (problem.code, problem.line) == ("not_utf8", 2)
    assert (
        "Bestand › Opslaan als › 'CSV UTF-8 (door komma's gescheiden) (*.csv)'" in problem.message
    )


def test_semicolon_csv_with_decimal_commas_reads_like_comma_csv(folder):
    """What Dutch Excel writes for "CSV (gescheiden door lijstscheidingsteken)"."""
    expected = load_records(folder)
    for name in ("patients.csv", "episodes.csv", "sessions.csv", "therapists.csv"):
        path = folder / name
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        header, body = rows[0], rows[1:]
        if name in ("sessions.csv", "therapists.csv"):
            column = header.index("amount" if name == "sessions.csv" else "fte")
            for row in body:
                row[column] = row[column].replace(".", ",")
        path.write_text("\r\n".join(";".join(row) for row in [header, *body]) + "\r\n")
    again = load_records(folder)
    assert again.sessions == expected.sessions
    assert again.therapists == expected.therapists
    assert again.patients == expected.patients


def test_a_dutch_date_is_refused_with_how_to_write_it(folder):
    edit(folder, "sessions.csv", "2025-01-13", "13-01-2025")
    with pytest.raises(RecordsError) as raised:
        load_records(folder)
    problem = next(p for p in raised.value.problems if p.code == "date_invalid")
    assert "jjjj-mm-dd" in problem.message


def test_a_report_can_be_shortened_for_the_screen(folder):
    for n in range(30):
        append(folder, "sessions.csv", f"X-{n},E-77,2025-05-05,1000,basic,36.53,0")
    records = load_records(folder, strict=False)
    lines = records.report.lines(limit=5)
    assert len(lines) == 6
    assert lines[-1] == "… en nog 26 meldingen."


def quoted_and_padded(path: Path) -> None:
    """The same file as a spreadsheet might write it: quoted cells, blanks around cells."""
    rows = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text(
        "\r\n".join(",".join(f'" {cell}"' if n % 2 else f"{cell} " for n, cell in enumerate(row))
                    for row in rows) + "\r\n",
        encoding="utf-8",
    )  # fmt: skip


def test_quoted_cells_with_blanks_around_them_read_like_plain_ones(folder):
    plain = load_records(folder)
    for name in ("patients.csv", "episodes.csv", "sessions.csv", "therapists.csv"):
        quoted_and_padded(folder / name)

    quoted = load_records(folder)

    assert (quoted.patients, quoted.episodes) == (plain.patients, plain.episodes)
    assert (quoted.sessions, quoted.therapists) == (plain.sessions, plain.therapists)
    assert quoted.problems == plain.problems


@pytest.mark.parametrize("quoted", [False, True])
def test_blank_lines_keep_the_line_numbers_of_the_file(folder, quoted):
    path = folder / "sessions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:3], "", "", *lines[3:]]) + "\n", encoding="utf-8")
    edit(folder, "sessions.csv", "S-05,E-01,2025-03-28", "S-05,E-01,2025-03-29")
    if quoted:
        quoted_and_padded(path)

    assert ("sessions.csv", 8, "dates_out_of_order") in problems_of(folder)


def test_every_bad_session_is_reported_among_many_good_ones(folder):
    """The fast path for good rows must leave each bad row to the full check."""
    good = [f"G-{n},E-01,2025-02-{1 + n % 28:02d},1000,basic,36.53,0" for n in range(500)]
    bad = {
        "B-1,E-01,2025-02-10,1000,basic,36.5x,0": "amount_invalid",
        "B-2,E-01,2024-12-31,1000,basic,36.53,0": "dates_out_of_order",
        "B-3,E-01,2025-02-10,10000,basic,36.53,0": "performance_code_invalid",
        "B-4,E-03,2025-03-10,1000,basic,36.53,0": "payer_without_insurer",
        "B-5,E-01,2025-02-10,1000,basic,36.53,x": "flag_invalid",
        "G-7,E-01,2025-02-10,1000,basic,36.53,0": "duplicate_id",
        ",E-01,2025-02-10,1000,basic,36.53,0": "value_missing",
        "B-6,E-01,2025-02-30,1000,basic,36.53,0": "date_invalid",
        "B-7,E-01,2025-02-10,1000,private,36.53,0": "payer_invalid",
    }
    for line in [*good[:250], *bad, *good[250:]]:
        append(folder, "sessions.csv", line)

    found = problems_of(folder)

    first = 2 + 18 + 250  # after the header, the 18 golden sessions and 250 good ones
    expected = [("sessions.csv", first + n, code) for n, code in enumerate(bad.values())]
    assert [p for p in found if p[0] == "sessions.csv"] == expected


# --- measurements.csv (format 1.1) ----------------------------------------------------------------


def test_the_golden_measurements_are_read_in_tenths_of_a_point():
    measurements = load_records(GOLDEN).measurements
    assert measurements[:2] == [
        ("E-01", "nprs", date(2025, 1, 6), 70),
        ("E-01", "psk", date(2025, 1, 6), 63),
    ]
    assert len(measurements) == 14


def test_a_folder_without_measurements_loads_with_none(folder):
    (folder / "measurements.csv").unlink()
    records = load_records(folder)
    assert records.measurements == []
    assert "measurements" not in records.report.read


def test_bad_measurements_are_reported_with_their_line(folder):
    for line in (
        "E-77,NPRS,2025-02-01,5",  # 16
        "E-01,NPRS,2024-12-01,5",  # 17: before the episode
        "E-01,NPRS,2025-02-10,6.5",  # 18: NPRS is whole points
        "E-01,PSK,2025-02-10,10.5",  # 19: above 10
        "E-01,PSK,2025-02-10,7,25",  # 20: a decimal comma without quotes splits the cell
        "E-01,NPRS,2025-01-06,6",  # 21: a second NPRS on the same day
        "E-01,PSK,2025-02-11,",  # 22
    ):
        append(folder, "measurements.csv", line)

    assert [p for p in problems_of(folder) if p[0] == "measurements.csv"] == [
        ("measurements.csv", 16, "episode_unknown"),
        ("measurements.csv", 17, "dates_out_of_order"),
        ("measurements.csv", 18, "score_invalid"),
        ("measurements.csv", 19, "score_invalid"),
        ("measurements.csv", 20, "row_width"),
        ("measurements.csv", 21, "duplicate_measurement"),
        ("measurements.csv", 22, "score_invalid"),
    ]


def test_another_instrument_is_a_warning_and_is_not_counted_as_read(folder):
    append(folder, "measurements.csv", "E-01,ODI,2025-01-06,40")
    records = load_records(folder)
    assert records.report.read["measurements"] == 14
    assert [(p.line, p.code, p.severity) for p in records.problems[1:]] == [
        (16, "instrument_unknown", "warning")
    ]
