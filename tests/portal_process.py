"""The portal as its own process — ``uvicorn parabench.asgi:application`` exactly as ``make run``
starts it (``parabench.embedded``) — on the test database, and logging in to it over real HTTP.
A pytest plugin of the root conftest: ``start_portal`` is a fixture of every test module."""

import http.client
import os
import re
import socket
import subprocess
from http.cookies import SimpleCookie

import pytest

from parabench.embedded import processes
from tests.uploads.conftest import ROOT, database_url, stop, wait_for_port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_argv(port: int, *, unsafe: bool = False) -> list[str]:
    (portal,) = [p for p in processes() if p.name == "portal"]
    argv = list(portal.argv)
    argv[argv.index("--port") + 1] = str(port)
    if unsafe:  # the embedded portal as it was: uvicorn's default trusts X-Forwarded-For
        argv.remove("--no-proxy-headers")
    return argv


@pytest.fixture
def start_portal(transactional_db, tmp_path):
    """``start_portal(**env)`` starts a portal process on a free port and returns the port."""
    started = []

    def start(*, unsafe=False, **env) -> int:
        port = free_port()
        log = open(tmp_path / f"portal-{port}.log", "wb")  # noqa: SIM115
        full_env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONPATH": str(ROOT), **env}
        process = subprocess.Popen(
            portal_argv(port, unsafe=unsafe),
            env=full_env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        wait_for_port("127.0.0.1", port, timeout=60)
        return port

    yield start
    for process, log in started:
        stop(process)
        log.close()


def log_in(
    port: int, username: str, password: str, *, forwarded_for=None, source="127.0.0.1"
) -> tuple[int, SimpleCookie]:
    """GET the login form, POST it with its CSRF token: the answer's status code and cookies."""

    def request(method, body=None, headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=60, source_address=(source, 0)
        )
        all_headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        connection.request(method, "/inloggen/", body=body, headers={**all_headers, **headers})
        response = connection.getresponse()
        return response, response.read().decode()

    response, page = request("GET", headers={})
    cookie = SimpleCookie(response.getheader("Set-Cookie"))["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
    response, _page = request(
        "POST",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
        },
    )
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    return response.status, cookies
