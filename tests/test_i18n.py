"""English is real: the language menu switches every page, and no string can be left untranslated.

Dutch is the source language; the English catalogue lives in parabench/locale/en. The last tests
guard the catalogue itself: every string in the code is in the .po, translated and not fuzzy, and
the committed .mo says what the .po says (so `make run` needs no gettext).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.certificates.factories import issue_certificate_for, use_test_ca
from tests.dashboard.factories import make_imports, recompute

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "parabench" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MAKEMESSAGES_IGNORES = (".venv", ".tools", "var", "tests", "bench")


def english(client: Client) -> Client:
    """Switch the way a visitor does: the language menu in the footer posts to set_language."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- The pages in English ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_page_is_dutch_by_default():
    page = html(Client(), reverse("login"))
    assert "Gebruikersnaam" in page
    assert "Wachtwoord vergeten?" in page
    assert '<html lang="nl">' in page


@pytest.mark.django_db
def test_the_language_menu_turns_the_login_page_english():
    page = html(english(Client()), reverse("login"))
    assert '<html lang="en">' in page
    for text in ("Username", "Password", "Log in", "Forgot your password?", "Language"):
        assert text in page
    assert "Gebruikersnaam" not in page
    assert "Wachtwoord vergeten?" not in page


@pytest.mark.django_db
def test_a_browser_that_asks_for_english_still_gets_dutch_until_the_user_chooses():
    page = Client(headers={"accept-language": "en"}).get(reverse("login")).content.decode()
    assert "Gebruikersnaam" in page
    assert '<html lang="nl"' in page


def test_the_profile_shows_the_practice_section_in_english(client_elsewhere, practice_elsewhere):
    page = html(english(client_elsewhere), reverse("practices:profile"))
    for text in (
        ">Profile<",
        ">Practice<",
        "Practice AGB code",
        "Intramed debtor #",
        "No network",
        "Additional practice details",
        "Log out",
    ):
        assert text in page
    assert "Geen netwerk" not in page
    assert practice_elsewhere.agb_code in page


def test_the_certificates_page_speaks_english(client_a, practice_a, settings, tmp_path):
    use_test_ca(settings, tmp_path)
    issue_certificate_for(practice_a)
    page = html(english(client_a), reverse("certificates:details"))
    for text in (
        "Certificates",
        "Certificate #",
        "Start date",
        "End date",
        "Blocked",
        "Downloaded",
        "Issue certificate",
        "Block",
    ):
        assert text in page
    assert "Certificaat uitgeven" not in page


ENGLISH_TABS = (
    "Welcome",
    "Patients",
    "Episodes",
    "Treatments",
    "Finance",
    "Insurers",
    "Productivity",
    "Quality",
    "Trends",
)


@pytest.fixture
def import_a(practice_a):
    imp = make_imports(practice_a, seed=1)[-1]
    recompute()
    return imp


def dashboard_url(imp, tab=None) -> str:
    url = reverse("dashboard:detail", kwargs={"import_id": imp.pk})
    return f"{url}?tab={tab}" if tab else url


def test_the_dashboard_shows_english_tab_names(client_a, import_a):
    page = html(english(client_a), dashboard_url(import_a))
    tabs = re.findall(r'data-tab="[a-z]+"[^>]*>([^<]+)</a>', page)
    assert tabs == list(ENGLISH_TABS)
    assert "Patiënten" not in page


def test_the_dashboard_shows_the_english_kpi_names_from_the_catalogue(client_a, import_a):
    from parabench.benchmark.catalogue import KPIS

    page = html(english(client_a), dashboard_url(import_a, "patients"))
    patients_tab = [k for k in KPIS if k.theme == "patients"]
    assert patients_tab
    for kpi in patients_tab:
        assert kpi.name_en in page
        assert kpi.name_nl not in page or kpi.name_nl == kpi.name_en


def test_the_english_dashboard_writes_numbers_the_english_way(client_a, import_a):
    page = html(english(client_a), dashboard_url(import_a, "patients"))
    assert re.search(r"\b\d+\.\d %", page)
    assert not re.search(r"\b\d+,\d %", page)
    # The charts' texts too, drawn on the server with the same writers ("…, Your practice: 5.0 %").
    tooltips = re.findall(r"<title>([^<]*%)</title>", page)
    assert tooltips and any("Your practice: " in t for t in tooltips)
    assert all(re.search(r"\d\.\d %$", t) for t in tooltips)


def test_the_dutch_dashboard_keeps_the_dutch_tab_names(client_a, import_a):
    page = html(client_a, dashboard_url(import_a))
    tabs = re.findall(r'data-tab="[a-z]+"[^>]*>([^<]+)</a>', page)
    assert tabs[:3] == ["Welkom", "Patiënten", "Klachten"]


def test_upload_warnings_show_their_english_message_in_english(client_a, import_a):
    import_a.warnings = [
        {
            "path": "$",
            "code": "no_therapists",
            "message": "Er zijn zittingen maar geen therapeuten geëxporteerd.",
            "message_en": "Sessions were exported but no therapists.",
        }
    ]
    import_a.save()
    url = reverse("uploads:detail", args=[import_a.pk])
    assert "geen therapeuten" in html(client_a, url)
    page = html(english(client_a), url)
    assert "Sessions were exported but no therapists." in page
    assert "Warnings" in page
    assert "geen therapeuten" not in page


# --- The catalogue itself ---------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """A tiny .po reader: one dict per entry with its fields (msgid, msgstr[0], …) and flags."""
    entries, entry, key = [], None, None

    def unquote(text: str) -> str:
        escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
        return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text[1:-1])

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line):
            key = match.group(1)
            entry[key] = unquote(match.group(2))
        else:
            entry[key] += unquote(line.strip())
    return [e for e in entries if e["msgid"] and not e["obsolete"]]


def problems_in(path: Path) -> list[str]:
    problems = []
    for entry in read_po(path):
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {entry['msgid']!r}")
        texts = [v for k, v in entry.items() if k.startswith("msgstr")]
        if not texts or not all(texts):
            problems.append(f"untranslated: {entry['msgid']!r}")
    return problems


def test_every_english_entry_is_translated_and_none_is_fuzzy():
    entries = read_po(PO)
    assert len(entries) > 300
    assert problems_in(PO) == []


def test_the_compiled_catalogue_says_what_the_po_says():
    """Every msgstr of the .po comes back from gettext in English: the committed .mo is current."""
    stale = []
    with translation.override("en"):
        for entry in read_po(PO):
            context = entry.get("msgctxt")
            if "msgid_plural" in entry:
                for n, key in ((1, "msgstr[0]"), (2, "msgstr[1]")):
                    if context:
                        got = translation.npgettext(
                            context, entry["msgid"], entry["msgid_plural"], n
                        )
                    else:
                        got = translation.ngettext(entry["msgid"], entry["msgid_plural"], n)
                    if got != entry[key]:
                        stale.append(entry["msgid"])
            else:
                if context:
                    got = translation.pgettext(context, entry["msgid"])
                else:
                    got = translation.gettext(entry["msgid"])
                if got != entry["msgstr"]:
                    stale.append(entry["msgid"])
    assert stale == [], "run `make messages` (compilemessages) and commit the .mo"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_in_the_code_is_in_the_english_catalogue(tmp_path):
    """Extract the strings afresh into a copy of the code: nothing may come out untranslated.

    This is what catches a new {% translate %} or gettext() whose author forgot `make messages`.
    It runs on a copy because makemessages writes into every `locale` folder it walks past.
    """
    copy = tmp_path / "parabench"
    shutil.copytree(ROOT / "parabench", copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    command = [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"]
    command += [f"--ignore={folder}" for folder in MAKEMESSAGES_IGNORES]
    environment = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
        "PARABENCH_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert problems_in(copy / "locale" / "en" / "LC_MESSAGES" / "django.po") == []
