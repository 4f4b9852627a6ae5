"""``scripts/portal-login.sh``: a scripted login against a real portal with real curl.

A scripted curl login against a fresh ``make run`` once got 403: the CSRF cookie of 127.0.0.1
does not travel to localhost. The script keeps to one host and one cookie file.
"""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "portal-login.sh"
pytestmark = pytest.mark.django_db(transaction=True)


def _curl(*args) -> str:
    return subprocess.run(
        ["curl", "-sS", *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def _curl_with_status(*args) -> tuple[str, str]:
    page, _, status = _curl(*args, "-w", "\n%{http_code}").rpartition("\n")
    return page, status


def _login(url, username, password, jar):
    return subprocess.run(
        [str(SCRIPT), url, username, password, str(jar)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_script_logs_in_and_its_cookies_open_the_practice_pages(
    live_server, user_a, password, tmp_path
):
    jar = tmp_path / "cookies.txt"
    done = _login(live_server.url, user_a.username, password, jar)
    assert done.returncode == 0, done.stderr
    page, status = _curl_with_status("-b", str(jar), f"{live_server.url}/profiel/")
    assert status == "200"
    assert user_a.practice.name in page


def test_a_wrong_password_is_reported_not_taken_for_a_login(live_server, user_a, tmp_path):
    done = _login(live_server.url, user_a.username, "niet-het-wachtwoord", tmp_path / "c.txt")
    assert done.returncode == 1
    assert "login failed: HTTP 200" in done.stderr


def test_what_went_wrong_before_a_post_to_another_host_name_than_the_form_came_from(
    live_server, user_a, password, tmp_path
):
    """The 403 seen after `make run`: the form from 127.0.0.1, the POST to localhost."""
    jar = tmp_path / "cookies.txt"
    form = _curl("-c", str(jar), "-b", str(jar), f"{live_server.url}/inloggen/")
    token = form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    swap = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}
    host = next(name for name in swap if f"//{name}:" in live_server.url)
    other_host = live_server.url.replace(host, swap[host])
    status = _curl(
        "-c", str(jar), "-b", str(jar), "-o", "/dev/null", "-w", "%{http_code}",
        "--data-urlencode", f"csrfmiddlewaretoken={token}",
        "--data-urlencode", f"username={user_a.username}",
        "--data-urlencode", f"password={password}",
        f"{other_host}/inloggen/",
    )  # fmt: skip
    assert status == "403"
