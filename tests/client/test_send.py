"""``send`` and ``status`` against a real TLS server that verifies client certificates.

No HTTP is mocked: every test starts Python's http.server behind TLS on 127.0.0.1 (see
conftest.py), presents a .pfx made with the Windows-friendly 3DES/SHA-1 profile and an empty
password, and checks both what the user sees and what the server really received.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from parabench_client import __version__
from parabench_client.cli import main
from parabench_client.transport import (
    TlsRefused,
    Unavailable,
    Uploader,
    load_pfx,
    tls_context,
)
from tests.client.conftest import (
    NOW,
    TODAY_ARG,
    free_port,
    issue_client,
    issue_server,
    write_pfx,
)
from tests.client.fault_servers import captive_portal, plain_http


def send(records, *extra) -> int:
    return main(["send", "--records", str(records), "--year", "2025", *TODAY_ARG, *extra])


def handshake_errors(server, timeout: float = 5.0) -> list[str]:
    """The server's thread records its side of a failed handshake a moment after the client
    sees it; wait for it instead of racing it."""
    deadline = time.monotonic() + timeout
    while not server.handshake_errors and time.monotonic() < deadline:
        time.sleep(0.01)
    return server.handshake_errors


def test_it_sends_the_export_gzipped_with_the_client_certificate(
    upload_server, configure, client_pfx, small_records, capsys
):
    configure(upload_server.url)

    assert send(small_records) == 0

    posts = [r for r in upload_server.received if r.method == "POST"]
    assert len(posts) == 1
    post = posts[0]
    assert post.path == "/ParabenchUploader/services/exports"
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["Content-Encoding"] == "gzip"
    assert post.document["format"] == "parabench-mi/1.1"
    assert post.document["practice"] == {"agb_code": "04123451"}
    assert post.document["period"] == {"begin": "2025-01-01", "end": "2025-12-31"}
    example = json.loads((Path(__file__).parents[2] / "docs" / "example-export.json").read_text())
    assert post.document["software"] == example["software"]  # the docs show what is sent
    assert post.document["software"] == {"name": "parabench-client", "version": __version__}
    assert "serialNumber=04123451" in post.peer_subject
    captured = capsys.readouterr()
    assert "Verzenden [##############################] 100%" in captured.err
    out = captured.out
    assert "Periode:    01-01-2025 t/m 31-12-2025" in out
    assert "geen patiëntgegevens" in out
    assert "Ontvangen door ParaBench: import 1." in out
    assert "parabench-client status 1" in out


def test_the_summary_shows_the_numbers_that_are_sent(
    upload_server, configure, client_pfx, small_records, capsys
):
    configure(upload_server.url)

    assert send(small_records) == 0

    document = upload_server.received[0].document
    year = next(w for w in document["windows"] if w["id"] == "Q1-Q4")
    out = capsys.readouterr().out
    assert f"Patiënten:  {year['patients']['total']}" in out
    assert f"Klachten:   {year['episodes']['active']}" in out
    assert f"Zittingen:  {year['sessions']['total']}" in out


def test_it_sends_an_export_file_byte_for_byte(
    upload_server, configure, client_pfx, small_records, tmp_path, capsys
):
    configure(upload_server.url)
    out = tmp_path / "exports"
    export = ["export", "--records", str(small_records), "--year", "2025", "--out", str(out)]
    assert main([*export, *TODAY_ARG]) == 0
    written = out / "parabench-04123451-2025.json"

    assert main(["send", "--file", str(written)]) == 0

    assert upload_server.received[0].body == written.read_bytes()


def test_it_waits_for_the_import_when_asked(
    upload_server, configure, client_pfx, small_records, capsys
):
    configure(upload_server.url)

    assert send(small_records, "--wait", "5") == 0

    gets = [r for r in upload_server.received if r.method == "GET"]
    assert gets[0].path == "/ParabenchUploader/services/imports/1"
    assert "Import 1: geïmporteerd" in capsys.readouterr().out


def test_a_duplicate_upload_is_reported_as_already_received(
    upload_server, configure, client_pfx, small_records, capsys
):
    configure(upload_server.url)
    upload_server.answers.append(
        (202, {"import_number": 17, "status": "imported", "duplicate": True, "status_url": "x"})
    )

    assert send(small_records) == 0

    assert "Deze export was al ontvangen (import 17)" in capsys.readouterr().out


def test_it_retries_after_503_and_then_succeeds(
    upload_server, configure, client_pfx, small_records, capsys
):
    configure(upload_server.url)
    unavailable = {"error": {"code": "unavailable", "message": "Probeer later.", "message_en": ""}}
    upload_server.answers += [(503, unavailable), (503, unavailable)]

    assert send(small_records) == 0

    posts = [r for r in upload_server.received if r.method == "POST"]
    assert len(posts) == 3
    assert posts[0].body == posts[2].body
    captured = capsys.readouterr()
    assert captured.err.count("nieuwe poging") == 2
    assert "Ontvangen door ParaBench: import 3." in captured.out


def test_it_shows_the_servers_error_report_and_does_not_retry_a_4xx(
    upload_server, configure, client_pfx, small_records, capsys
):
    configure(upload_server.url)
    refusal = {
        "error": {
            "code": "schema_invalid",
            "message": "De export voldoet niet aan het formaat.",
            "message_en": "The export does not match the format.",
            "problems": [
                {
                    "path": "$.windows[2].patients.total",
                    "code": "greater_than_equal",
                    "message": "Moet 0 of meer zijn.",
                    "message_en": "Must be 0 or more.",
                }
            ],
        }
    }
    upload_server.answers.append((422, refusal))

    assert send(small_records) == 7

    assert len([r for r in upload_server.received if r.method == "POST"]) == 1
    err = capsys.readouterr().err
    assert "ParaBench heeft de export geweigerd (HTTP 422, schema_invalid)" in err
    assert "De export voldoet niet aan het formaat." in err
    assert "$.windows[2].patients.total [greater_than_equal]: Moet 0 of meer zijn." in err


def test_the_error_report_is_in_english_when_asked(
    upload_server, configure, client_pfx, small_records, capsys, monkeypatch
):
    configure(upload_server.url)
    message = {"code": "practice_mismatch", "message": "Andere praktijk.", "message_en": "Other."}
    upload_server.answers.append((403, {"error": message}))
    monkeypatch.setenv("PARABENCH_LANG", "en")

    assert send(small_records) == 7

    assert "ParaBench refused the export (HTTP 403, practice_mismatch): Other." in (
        capsys.readouterr().err
    )


def test_a_server_that_is_down_is_retried_then_reported(
    configure, client_pfx, small_records, capsys
):
    url = f"https://127.0.0.1:{free_port()}/ParabenchUploader/services"
    configure(url)

    assert send(small_records) == 8

    err = capsys.readouterr().err
    assert err.count("nieuwe poging") == 4
    assert f"ParaBench is niet bereikbaar op {url} (na 5 pogingen" in err
    assert "connection_refused" in err


def test_the_backoff_doubles_from_the_base_delay(pki, client_pfx):
    delays = []
    uploader = Uploader(
        f"https://127.0.0.1:{free_port()}/ParabenchUploader/services",
        tls_context(load_pfx(client_pfx), pki["ca_file"]),
        base_delay=1.0,
        sleep=delays.append,
    )

    try:
        uploader.post_export(b"{}")
    except Unavailable as down:
        assert down.attempts == 5
    assert delays == [1.0, 2.0, 4.0, 8.0]


def test_without_a_certificate_the_server_refuses_the_tls_handshake(upload_server, pki):
    uploader = Uploader(upload_server.url, tls_context(None, pki["ca_file"]), base_delay=0)

    try:
        uploader.post_export(b"{}")
        raise AssertionError("the server accepted a connection without certificate")
    except TlsRefused as refused:
        assert not refused.server_untrusted
    assert upload_server.received == []
    assert any("did not return a certificate" in e for e in handshake_errors(upload_server))


def test_without_a_certificate_an_optional_server_answers_401_in_dutch(
    optional_cert_server, pki, client_config, capsys
):
    # A server that lets the request through (nginx "optional", or CERT_OPTIONAL) answers 401.
    from parabench_client.cli import Failure, _talk
    from parabench_client.config import Config, OnlineService

    config = Config(OnlineService(url=optional_cert_server.url))
    uploader = Uploader(optional_cert_server.url, tls_context(None, pki["ca_file"]))

    try:
        _talk(config, lambda: uploader.post_export(b"{}"))
        raise AssertionError("no refusal")
    except Failure as failure:
        assert failure.exit_code == 7
        assert "(HTTP 401, certificate_required): Geen certificaat." in failure.text


def test_an_expired_certificate_is_not_even_sent(
    upload_server, configure, pki, small_records, capsys
):
    key, cert = issue_client(
        pki["ca"], not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=2)
    )
    expired = write_pfx(pki["cert_dir"] / "oud.pfx", key, cert, pki["ca"])
    configure(upload_server.url)

    assert send(small_records, "--cert", str(expired)) == 6

    assert upload_server.received == []
    err = capsys.readouterr().err
    assert "is verlopen op" in err
    assert "Geef in het portaal een nieuw certificaat uit" in err


def test_a_server_refusing_an_expired_certificate_gives_a_clear_tls_error(
    upload_server, pki, client_config
):
    # The client refuses expired certificates itself; here one is presented anyway (as a
    # computer with a wrong clock would) to see what the server's TLS layer answers.
    from parabench_client.cli import _tls_reason_key

    key, cert = issue_client(
        pki["ca"], not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=2)
    )
    expired = load_pfx(write_pfx(pki["cert_dir"] / "oud.pfx", key, cert, pki["ca"]))
    uploader = Uploader(upload_server.url, tls_context(expired, pki["ca_file"]), base_delay=0)

    try:
        uploader.post_export(b"{}")
        raise AssertionError("the server accepted an expired certificate")
    except TlsRefused as refused:
        assert _tls_reason_key(refused.reason) in {"certificate_expired", "closed"}
    assert upload_server.received == []
    assert any("certificate has expired" in e for e in handshake_errors(upload_server))


def test_a_certificate_from_another_ca_is_refused_with_a_dutch_tls_message(
    upload_server, configure, pki, foreign_ca, small_records, capsys
):
    key, cert = issue_client(foreign_ca)
    foreign = write_pfx(pki["cert_dir"] / "vreemd.pfx", key, cert, foreign_ca)
    configure(upload_server.url)

    assert send(small_records, "--cert", str(foreign)) == 6

    assert upload_server.received == []
    err = capsys.readouterr().err
    assert "De beveiligde verbinding met ParaBench is geweigerd" in err
    assert "nieuw certificaat" in err


def test_an_untrusted_server_certificate_is_reported_with_how_to_trust_a_test_server(
    upload_server, client_config, pki, client_pfx, small_records, capsys
):
    main(["configure", "--url", upload_server.url, "--agb", "04123451"])

    assert send(small_records, "--cert", str(client_pfx)) == 6

    assert upload_server.received == []
    err = capsys.readouterr().err
    assert "wordt niet vertrouwd" in err
    assert "--server-ca" in err


def test_no_certificate_in_the_folder_stops_before_connecting(
    upload_server, configure, small_records, capsys
):
    configure(upload_server.url)

    assert send(small_records) == 6

    assert upload_server.received == []
    assert "staat geen geldig certificaat van ParaBench" in capsys.readouterr().err


def test_send_without_configuration_says_the_online_service_is_not_set_up(
    client_config, small_records, capsys
):
    assert send(small_records) == 3

    err = capsys.readouterr().err
    assert "De online dienst ParaBench is niet (goed) ingesteld" in err
    assert "parabench-client configure --url" in err


def test_status_shows_an_import_with_its_warnings(upload_server, configure, client_pfx, capsys):
    configure(upload_server.url)
    status = {
        "import_number": 4,
        "status": "imported",
        "uploaded_at": "2026-07-01T10:15:02+02:00",
        "imported_at": "2026-07-01T10:15:09+02:00",
        "period_begin": "2026-01-01",
        "period_end": "2026-03-31",
        "warnings": [{"code": "tariff_high", "path": "$", "message": "Hoog tarief."}],
        "errors": [],
    }
    upload_server.status_answers.append((200, status))

    assert main(["status", "4"]) == 0

    out = capsys.readouterr().out
    assert "Import 4: geïmporteerd" in out
    assert "Waarschuwing: Hoog tarief." in out


def test_status_of_an_unknown_import_says_so_and_not_that_an_export_was_refused(
    upload_server, configure, client_pfx, capsys
):
    configure(upload_server.url)
    upload_server.status_answers.append(
        (404, {"error": {"code": "not_found", "message": "Niet gevonden.", "message_en": ""}})
    )

    assert main(["status", "99"]) == 7

    err = capsys.readouterr().err
    assert "ParaBench kent geen import 99 van deze praktijk." in err
    assert "export" not in err


def test_a_rejected_import_ends_with_exit_code_7(upload_server, configure, client_pfx, capsys):
    configure(upload_server.url)
    rejected = json.loads(json.dumps({"import_number": 5, "status": "rejected"}))
    rejected["errors"] = [{"code": "period_invalid", "message": "Verkeerde periode."}]
    upload_server.status_answers.append((200, rejected))

    assert main(["status", "5"]) == 7

    out = capsys.readouterr().out
    assert "Import 5: afgekeurd" in out
    assert "Fout: Verkeerde periode." in out


# --- Issue 14: what a practice's network and a scheduled task run into -----------------------


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (200, b"<html><p>Log in om verder te gaan.</p></html>", "text/html"),
        (200, b'{"import_number": 1}', "application/json"),
        (202, b'{"import_number": "1"}', "application/json"),
        (202, b'{"status": "received"}', "application/json"),
        (403, b"<html>Forbidden by proxy</html>", "text/html"),
    ],
)
def test_only_a_202_with_an_import_number_counts_as_delivered(
    tmp_path, test_ca, configure, client_pfx, small_records, capsys, status, body, content_type
):
    """A captive portal or proxy answering for ParaBench: a fault server (DEVELOPERS.md)."""
    key, cert = issue_server(test_ca)
    with captive_portal(
        key, cert, tmp_path, status=status, body=body, content_type=content_type
    ) as portal:
        configure(portal.url())

        assert send(small_records) == 8

        assert ("POST", "/ParabenchUploader/services/exports") in portal.received
    captured = capsys.readouterr()
    assert "Ontvangen door ParaBench" not in captured.out
    assert "Er is niets afgeleverd: op https://127.0.0.1:" in captured.err
    assert f"(HTTP {status}, {content_type})" in captured.err
    assert "certificaat" not in captured.err.split("Er is niets afgeleverd")[1]


def test_the_old_rule_took_any_answer_below_400_as_success(tmp_path, test_ca, client_pfx, pki):
    """The rule issue 14 found (status < 400 → success) would have accepted the portal's page."""
    key, cert = issue_server(test_ca)
    with captive_portal(key, cert, tmp_path) as portal:
        uploader = Uploader(portal.url(), tls_context(load_pfx(client_pfx), pki["ca_file"]))
        reply = uploader.request("POST", "exports", b"{}", {"Content-Type": "application/json"})
        assert reply.status < 400  # the old client stopped here, content
        assert reply.json().get("import_number") is None


def test_plain_http_behind_an_https_url_is_named_and_not_blamed_on_the_certificate(
    configure, client_pfx, small_records, capsys
):
    with plain_http() as server:
        configure(server.url())

        assert send(small_records) == 8

    err = capsys.readouterr().err
    assert "geen HTTPS-server" in err and "gewoon HTTP op deze poort" in err
    assert "nieuw certificaat" not in err


def test_a_blocked_certificate_is_forgotten_and_the_new_one_in_the_folder_sent_at_once(
    upload_server, configure, pki, small_records, client_config, capsys
):
    old = write_pfx(
        pki["cert_dir"] / "ParaBench-04123451-1.pfx",
        *issue_client(pki["ca"], not_before=NOW - dt.timedelta(days=60)),
        pki["ca"],
    )
    write_pfx(pki["cert_dir"] / "ParaBench-04123451-2.pfx", *issue_client(pki["ca"]), pki["ca"])
    configure(upload_server.url)
    stored = json.loads(client_config.read_text())
    stored["certificates"]["chosen_sha256"] = load_pfx(old).fingerprint  # chosen long ago
    client_config.write_text(json.dumps(stored))
    blocked = {
        "error": {
            "code": "certificate_blocked",
            "message": "Dit certificaat is geblokkeerd.",
            "message_en": "This certificate is blocked.",
        }
    }
    upload_server.answers.append((403, blocked))

    assert send(small_records) == 0

    posts = [r for r in upload_server.received if r.method == "POST"]
    assert len(posts) == 2 and posts[0].peer_subject == posts[1].peer_subject  # same practice
    captured = capsys.readouterr()
    assert "wordt niet meer gebruikt; er wordt een ander geldig certificaat" in captured.err
    assert "Ontvangen door ParaBench: import 2." in captured.out
    saved = json.loads(client_config.read_text())["certificates"]
    assert saved["chosen_sha256"] == ""
    assert saved["refused_sha256"] == [load_pfx(old).fingerprint]

    assert send(small_records) == 0  # the next run takes the new one straight away
    assert len([r for r in upload_server.received if r.method == "POST"]) == 3


def test_the_client_never_ends_in_a_traceback_on_an_ascii_or_cp850_console(
    upload_server, configure, client_pfx, small_records, client_config
):
    configure(upload_server.url)
    for encoding in ("ascii", "cp850"):
        result = subprocess.run(
            [sys.executable, "-m", "parabench_client", "send", "--records", str(small_records)]
            + ["--year", "2025", *TODAY_ARG],
            env={**os.environ, "PYTHONIOENCODING": encoding},
            capture_output=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert b"Traceback" not in result.stderr
        assert b"Ontvangen door ParaBench: import" in result.stdout


def test_send_dry_run_asks_the_validation_endpoint_and_nothing_else(
    upload_server, configure, client_pfx, small_records, capsys
):
    configure(upload_server.url)

    assert send(small_records, "--dry-run") == 0

    assert [r.path for r in upload_server.received] == ["/ParabenchUploader/services/validate"]
    assert "Proef geslaagd voor 2025" in capsys.readouterr().out
