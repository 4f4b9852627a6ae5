"""The client's expiry check: quiet before 30 days, a warning and a renewal attempt after; a failed
renewal never stops the upload with the still-valid certificate."""

import datetime as dt
import socket

from parabench_client import certrequest
from parabench_client import config as config_module
from parabench_client.transport import load_pfx
from tests.client.conftest import issue_client, write_pfx

NOW = dt.datetime.now(dt.UTC)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _certificate(pki, days_left: int):
    key, cert = issue_client(
        pki["ca"],
        not_before=NOW - dt.timedelta(days=10),
        not_after=NOW + dt.timedelta(days=days_left),
    )
    return load_pfx(write_pfx(pki["cert_dir"] / f"c{days_left}.pfx", key, cert, pki["ca"]))


def _config(pki, client_config):
    url = f"https://127.0.0.1:{_closed_port()}/ParabenchUploader/services"
    config = config_module.Config(
        service=config_module.OnlineService(url=url),
        agb_code="04123451",
        cert_dir=str(pki["cert_dir"]),
        server_ca=str(pki["ca_file"]),
    )
    config_module.save(config, client_config)
    return config


def test_a_certificate_with_more_than_30_days_left_is_used_without_a_word(pki, client_config):
    current = _certificate(pki, 31)
    said = []
    used = certrequest.check_expiry(
        _config(pki, client_config), current, out=said.append, err=said.append
    )
    assert used is current and said == []


def test_within_30_days_it_warns_tries_to_renew_and_keeps_the_old_one_when_that_fails(
    pki, client_config, monkeypatch
):
    monkeypatch.setenv("PARABENCH_CLIENT_RETRY_DELAY", "0")
    current = _certificate(pki, 12)
    said = []
    used = certrequest.check_expiry(
        _config(pki, client_config), current, out=said.append, err=said.append
    )
    assert used is current
    assert said[0].startswith("Let op: het certificaat verloopt over 1")
    assert any("Vernieuwen lukte niet" in line for line in said)
    # The key it made waits for the next attempt (same request, same certificate).
    assert (pki["cert_dir"] / certrequest.PENDING_KEY).stat().st_mode & 0o077 == 0
