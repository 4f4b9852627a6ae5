"""Static files in production: collected with content hashes and gzip copies, served as
immutable for a year — by WhiteNoise (the portal on its own) and by nginx (deploy/nginx).

Each test first shows what the development storage does (plain names, short caching), so the
checks can tell the two apart.
"""

import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PORTAL_CONF = ROOT / "deploy" / "nginx" / "parabench-portal.conf"
PRODUCTION = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DEVELOPMENT = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
YEAR = 365 * 24 * 3600


def static_url(name: str) -> str:
    return Template("{% load static %}{% static name %}").render(Context({"name": name}))


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic once for the module, with the production storage."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STORAGES=PRODUCTION, STATIC_ROOT=root):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


def _storage_with(debug: str) -> str:
    env = {
        **os.environ,
        "DEBUG": debug,
        "SECRET_KEY": "s" * 50,
        "ALLOWED_HOSTS": "portal.example",
        "DJANGO_SETTINGS_MODULE": "parabench.settings",
    }
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return result.stdout.strip()


def test_production_settings_choose_the_compressed_manifest_storage():
    assert _storage_with("1") == DEVELOPMENT["staticfiles"]["BACKEND"]
    assert _storage_with("0") == PRODUCTION["staticfiles"]["BACKEND"]


def test_pages_link_hashed_names_and_every_file_has_a_gzip_copy(collected):
    with override_settings(STORAGES=DEVELOPMENT, STATIC_ROOT=collected):
        assert static_url("dashboard/dashboard.css") == "/static/dashboard/dashboard.css"
    with override_settings(STORAGES=PRODUCTION, STATIC_ROOT=collected):
        url = static_url("dashboard/dashboard.css")
    assert re.fullmatch(r"/static/dashboard/dashboard\.[0-9a-f]{12}\.css", url)
    hashed = collected / url.removeprefix("/static/")
    assert gzip.decompress((hashed.parent / (hashed.name + ".gz")).read_bytes()) == (
        hashed.read_bytes()
    )
    assert not list(collected.rglob("plotly*")), "no charting bundle any more"


@pytest.mark.django_db
def test_whitenoise_serves_hashed_files_immutable_for_years_and_compressed(collected):
    quick = {"WHITENOISE_AUTOREFRESH": False, "WHITENOISE_USE_FINDERS": False}
    with override_settings(STORAGES=PRODUCTION, STATIC_ROOT=collected, **quick):
        url = static_url("dashboard/dashboard.css")
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        plain = Client().get("/static/dashboard/dashboard.css")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    lifetime = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert lifetime >= YEAR and "immutable" in response["Cache-Control"]
    # The unhashed name may change content at the next deploy: not cached for long.
    assert int(re.search(r"max-age=(\d+)", plain["Cache-Control"]).group(1)) < 3600


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _static_block(conf: str) -> str:
    """The ``location /static/ { … }`` block of the portal's server, braces balanced."""
    start = conf.index("    location /static/ {")
    depth = 0
    for i in range(start, len(conf)):
        depth += {"{": 1, "}": -1}.get(conf[i], 0)
        if conf[i] == "}" and depth == 0:
            return conf[start : i + 1]
    raise AssertionError("unbalanced braces in the static location")


@pytest.fixture
def nginx_static(collected, tmp_path):
    """deploy/nginx/parabench-portal.conf's static location in a plain-HTTP server on loopback,
    with ``root`` pointing at this test's collected files."""
    assert Path(NGINX).exists(), "nginx is missing: run `make system-deps`"
    var = tmp_path / "var"
    var.mkdir()
    (var / "static").symlink_to(collected)
    block = _static_block(PORTAL_CONF.read_text())
    assert "root /srv/parabench/var;" in block
    block = block.replace("root /srv/parabench/var;", f"root {var};")
    port = _free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"""{user}worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    types {{ text/css css; application/javascript js; }}
    server {{
        listen 127.0.0.1:{port};
{block}
    }}
}}
"""
    )
    process = subprocess.Popen([NGINX, "-c", str(config), "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_nginx_serves_hashed_files_for_a_year_from_their_gzip_copies(collected, nginx_static):
    with override_settings(STORAGES=PRODUCTION, STATIC_ROOT=collected):
        url = static_url("dashboard/dashboard.css")
    hashed = requests.get(nginx_static + url, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert hashed.status_code == 200 and hashed.headers["Content-Encoding"] == "gzip"
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = requests.get(nginx_static + "/static/dashboard/dashboard.css", timeout=10)
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "public, max-age=300"
