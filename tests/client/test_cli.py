"""``parabench-client export``: the year rules, strict and lenient records, files and exit codes."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from parabench_client import __version__
from parabench_client.cli import main
from parabench_format import validate_export

URL = "https://127.0.0.1:8443/ParabenchUploader/services"


@pytest.fixture
def configured(client_config):
    assert main(["configure", "--url", URL, "--agb", "04123451"]) == 0


def export(records, out, *years, today="2026-06-15", extra=()):
    arguments = ["export", "--records", str(records), "--out", str(out), "--today", today]
    for year in years:
        arguments += ["--year", str(year)]
    return main([*arguments, *extra])


def test_a_past_year_is_exported_whole_and_valid(configured, small_records, tmp_path, capsys):
    assert export(small_records, tmp_path, 2025) == 0

    written = tmp_path / "parabench-04123451-2025.json"
    document = json.loads(written.read_text())
    assert document["period"] == {"begin": "2025-01-01", "end": "2025-12-31"}
    assert validate_export(written.read_bytes()).ok
    assert f"Export 2025 geschreven: {written}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("today", "end"),
    [
        ("2026-04-01", "2026-03-31"),
        ("2026-06-15", "2026-03-31"),
        ("2026-06-30", "2026-03-31"),
        ("2026-07-01", "2026-06-30"),
        ("2026-10-01", "2026-09-30"),
        ("2026-12-31", "2026-09-30"),
    ],
)
def test_the_current_year_runs_to_the_last_complete_quarter(
    configured, small_records, tmp_path, capsys, today, end
):
    assert export(small_records, tmp_path, 2026, today=today) == 0

    document = json.loads((tmp_path / "parabench-04123451-2026.json").read_text())
    assert document["period"] == {"begin": "2026-01-01", "end": end}
    day, month, year = end[8:], end[5:7], end[:4]
    assert (
        "2026 is het lopende jaar: de export loopt tot en met het laatste volledige kwartaal "
        f"(01-01-2026 t/m {day}-{month}-{year})."
    ) in capsys.readouterr().out


@pytest.mark.parametrize("today", ["2026-01-01", "2026-03-31"])
def test_before_the_first_quarter_is_complete_there_is_nothing_to_send(
    configured, small_records, tmp_path, capsys, today
):
    assert export(small_records, tmp_path, 2026, today=today) == 5

    assert "Er is nog niets te versturen voor 2026" in capsys.readouterr().err
    assert list(tmp_path.glob("*.json")) == []


def test_a_future_year_is_refused(configured, small_records, tmp_path, capsys):
    assert export(small_records, tmp_path, 2027) == 5

    assert "Het jaar 2027 ligt in de toekomst" in capsys.readouterr().err
    assert list(tmp_path.glob("*.json")) == []


def test_several_years_give_separate_files_and_a_refused_year_is_reported(
    configured, small_records, tmp_path, capsys
):
    assert export(small_records, tmp_path, 2025, 2026, 2027) == 5

    assert sorted(p.name for p in tmp_path.glob("*.json")) == [
        "parabench-04123451-2025.json",
        "parabench-04123451-2026.json",
    ]
    assert "2027 ligt in de toekomst" in capsys.readouterr().err


def test_format_1_0_is_the_same_export_without_case_mix_and_outcomes(
    configured, small_records, tmp_path
):
    assert export(small_records, tmp_path / "new", 2025) == 0
    assert export(small_records, tmp_path / "old", 2025, extra=["--format-version", "1.0"]) == 0

    new = json.loads((tmp_path / "new" / "parabench-04123451-2025.json").read_text())
    old = json.loads((tmp_path / "old" / "parabench-04123451-2025.json").read_text())
    assert (new["format"], old["format"]) == ("parabench-mi/1.1", "parabench-mi/1")
    assert new["windows"][6]["outcomes"]["nprs"]["measured"] > 0  # the synthetic scores
    for window in new["windows"]:
        del window["case_mix"], window["outcomes"]
    del new["format"], old["format"], new["exported_at"], old["exported_at"]
    assert new == old


@pytest.mark.parametrize("name", ["example-export.json", "example-export-1.0.json"])
def test_validate_accepts_both_format_versions(name, capsys):
    path = Path(__file__).parents[2] / "docs" / name
    assert main(["validate", str(path), "--today", "2026-06-15"]) == 0


def test_year_closed_is_carried_in_the_export(configured, small_records, tmp_path):
    assert export(small_records, tmp_path, 2025, extra=["--year-closed"]) == 0

    document = json.loads((tmp_path / "parabench-04123451-2025.json").read_text())
    assert document["year_closed"] is True


@pytest.fixture
def bad_records(small_records, tmp_path):
    """The small practice plus one session of an episode that does not exist."""
    folder = tmp_path / "bad"
    shutil.copytree(small_records, folder)
    with open(folder / "sessions.csv", newline="", encoding="utf-8") as stream:
        lines = sum(1 for _ in stream)
    with open(folder / "sessions.csv", "a", newline="", encoding="utf-8") as stream:
        csv.writer(stream, lineterminator="\n").writerow(
            ["S-extra", "E-bestaat-niet", "2025-05-01", "1000", "basic", "36.53", "0"]
        )
    return folder, lines + 1


def test_bad_records_stop_a_strict_export_with_file_and_line(
    configured, bad_records, tmp_path, capsys
):
    folder, line = bad_records
    out = tmp_path / "out"

    assert export(folder, out, 2025) == 4

    err = capsys.readouterr().err
    assert f"sessions.csv, regel {line}: fout:" in err
    assert "Er is niets geëxporteerd" in err
    assert not out.exists() or list(out.glob("*.json")) == []


def test_a_lenient_export_leaves_the_bad_records_out(configured, bad_records, tmp_path, capsys):
    folder, line = bad_records

    assert export(folder, tmp_path, 2025, extra=["--lenient"]) == 0

    assert (tmp_path / "parabench-04123451-2025.json").exists()
    err = capsys.readouterr().err
    assert f"sessions.csv, regel {line}: fout:" in err
    assert "worden niet meegenomen (--lenient)" in err


def test_the_agb_code_is_needed(client_config, small_records, tmp_path, capsys):
    main(["configure", "--url", URL])

    assert export(small_records, tmp_path, 2025) == 2
    assert "De AGB-code van de praktijk ontbreekt" in capsys.readouterr().err

    assert export(small_records, tmp_path, 2025, extra=["--agb", "04999001"]) == 0
    assert (tmp_path / "parabench-04999001-2025.json").exists()


def test_a_missing_records_folder_is_a_usage_error(configured, tmp_path, capsys):
    assert export(tmp_path / "nergens", tmp_path, 2025) == 2

    assert "bestaat niet" in capsys.readouterr().err


def test_a_command_without_its_required_options_is_a_usage_error(configured, capsys):
    assert main(["export", "--records", "."]) == 2


def test_an_invalid_export_file_is_not_sent(configured, tmp_path, capsys):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"format": "parabench-mi/1", "extra": 1}))

    assert main(["send", "--file", str(path)]) == 4

    assert f"Het exportbestand {path} voldoet niet aan het formaat:" in capsys.readouterr().err


def test_the_program_runs_as_a_module_and_documents_its_exit_codes():
    result = subprocess.run(
        [sys.executable, "-m", "parabench_client", "--help"], capture_output=True, text=True
    )

    assert result.returncode == 0
    assert "8 ParaBench niet bereikbaar" in " ".join(result.stdout.split())


def test_the_client_imports_nothing_from_the_portal():
    code = (
        "import sys, parabench_client.cli, parabench_client.synth, parabench_format; "
        "parabench_client.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'parabench', 'numpy', 'plotly')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- Issue 14: nothing sent as if it were data; unattended use -------------------------------


def test_a_lenient_export_of_mostly_rejected_lines_sends_nothing(
    configured, small_records, tmp_path, capsys
):
    """Dates written dd-mm-jjjj: every session rejected. Before, 0 sessions were exported."""
    folder = tmp_path / "nl-datums"
    shutil.copytree(small_records, folder)
    path = folder / "sessions.csv"
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    for row in rows[1:]:
        year, month, day = row[2].split("-")
        row[2] = f"{day}-{month}-{year}"
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")

    assert export(folder, tmp_path / "out", 2025, extra=["--lenient"]) == 4

    err = capsys.readouterr().err
    assert f"van sessions.csv zijn {len(rows) - 1} van de {len(rows) - 1} regels afgekeurd" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.json"))


def test_a_sessions_file_with_only_its_header_exports_nothing(
    configured, small_records, tmp_path, capsys
):
    folder = tmp_path / "leeg"
    shutil.copytree(small_records, folder)
    path = folder / "sessions.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")

    assert export(folder, tmp_path / "out", 2025) == 5

    assert "geen enkele zitting" in capsys.readouterr().err
    assert not list((tmp_path / "out").glob("*.json"))


@pytest.mark.parametrize("year", ["1850", "1999", "twintig"])
def test_a_year_before_2000_or_not_a_year_is_a_usage_error(
    configured, small_records, tmp_path, year, capsys
):
    assert export(small_records, tmp_path, year) == 2
    assert "parabench-client export: fout: argument --year:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("word", "today", "written"),
    [
        ("vorig", "2026-06-15", "parabench-04123451-2025.json"),
        ("huidig", "2026-06-15", "parabench-04123451-2026.json"),
        ("previous", "2027-02-01", "parabench-04123451-2026.json"),
    ],
)
def test_a_scheduled_task_names_the_year_relative_to_today(
    configured, small_records, tmp_path, word, today, written
):
    assert export(small_records, tmp_path, word, today=today) == 0
    assert [p.name for p in tmp_path.glob("*.json")] == [written]


def test_a_file_level_problem_does_not_suggest_lenient(configured, small_records, tmp_path, capsys):
    folder = tmp_path / "kolom"
    shutil.copytree(small_records, folder)
    path = folder / "therapists.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("fte", "uren", 1), encoding="utf-8")

    assert export(folder, tmp_path / "out", 2025) == 4

    err = capsys.readouterr().err
    assert "--lenient helpt hier niet" in err
    assert "exporteer zonder de foute regels met" not in err


def test_version_and_help_follow_the_chosen_language():
    version = subprocess.run(
        [sys.executable, "-m", "parabench_client", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0
    assert version.stdout.strip() == f"parabench-client {__version__} (parabench-mi/1.1)"

    env = {**os.environ, "PARABENCH_LANG": "en"}
    english = subprocess.run(
        [sys.executable, "-m", "parabench_client", "send", "--help"],
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    dutch = subprocess.run(
        [sys.executable, "-m", "parabench_client", "send", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "PARABENCH_LANG": "nl"},
    ).stdout
    assert english.startswith("usage: ") and "show this help message and exit" in english
    assert "exporteren" not in english and "standaard" not in english
    assert dutch.startswith("gebruik: ") and "deze hulp tonen en stoppen" in dutch
    assert "show this help" not in dutch
    for line in english.splitlines() + dutch.splitlines():
        if line.strip().startswith("--") and len(line.split()) == 1:
            raise AssertionError(f"option without help: {line}")


def test_the_log_file_gets_every_message_and_the_exit_code_without_the_password(
    configured, small_records, tmp_path
):
    log = tmp_path / "parabench.log"
    arguments = ["--log", str(log), "export", "--records", str(small_records), "--out"]
    arguments += [str(tmp_path), "--year", "2025", "--today", "2026-06-15"]

    assert main(arguments) == 0
    assert main(["--log", str(log), "status", "1", "--password", "geheim"]) == 6

    text = log.read_text(encoding="utf-8")
    assert "Export 2025 geschreven" in text
    assert "klaar, exitcode 0" in text and "klaar, exitcode 6" in text
    assert "geheim" not in text and "--password ***" in text


def test_huidig_in_the_first_quarter_is_not_a_failure_for_a_scheduled_task(
    configured, small_records, tmp_path, capsys
):
    assert export(small_records, tmp_path, "vorig", "huidig", today="2026-02-03") == 0
    assert [p.name for p in tmp_path.glob("*.json")] == ["parabench-04123451-2025.json"]
    assert "Er is nog niets te versturen voor 2026" in capsys.readouterr().out

    assert export(small_records, tmp_path / "cijfer", 2026, today="2026-02-03") == 5
