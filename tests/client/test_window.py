"""``parabench-client venster`` under a virtual X screen (Xvfb): a real Tk window, a real click,
the real send against the TLS test server, and a screenshot for docs/export-client.md."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.client.conftest import TODAY
from tests.client.screens import VirtualScreen

pytest.importorskip("tkinter")

DRIVER = Path(__file__).with_name("window_driver.py")
DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "img" / "client-window.png"


def drive(tmp_path, mode: str, records: str = "") -> tuple[dict, Path]:
    picture = tmp_path / f"{mode}.png"
    with VirtualScreen(tmp_path) as screen:
        result = subprocess.run(
            [sys.executable, str(DRIVER), mode, records, str(picture)]
            + [str(tmp_path / "Xvfb_screen0"), TODAY.isoformat()],
            env={**os.environ, "DISPLAY": screen.display},
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert result.returncode == 0, result.stderr
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return json.loads(result.stdout.splitlines()[-1]), picture


def test_without_configuration_the_window_says_what_to_do(client_config, tmp_path):
    shown, picture = drive(tmp_path, "look")

    text = "\n".join(shown["labels"])
    assert "De online dienst ParaBench is niet ingesteld" in text
    assert "parabench-client configure --url" in text
    assert picture.stat().st_size > 1000


def test_the_window_sends_the_chosen_year_and_says_so_in_words(
    upload_server, configure, client_pfx, small_records, tmp_path
):
    configure(upload_server.url)

    shown, picture = drive(tmp_path, "send", str(small_records))

    assert shown["years"][:2] == [
        "2026 (01-01-2026 t/m 31-03-2026)",
        "2025 (01-01-2025 t/m 31-12-2025)",
    ]
    assert shown["exit_code"] == 0
    assert shown["status"].startswith("Gelukt: ParaBench heeft de gegevens ontvangen")
    assert "Ontvangen door ParaBench: import 1." in shown["log"]
    assert "Import 1: geïmporteerd" in shown["log"]
    posts = [r for r in upload_server.received if r.method == "POST"]
    assert posts[0].document["period"] == {"begin": "2025-01-01", "end": "2025-12-31"}
    if os.environ.get("PARABENCH_REGENERATE_SCREENSHOTS"):
        DOCS_IMAGE.write_bytes(picture.read_bytes())
