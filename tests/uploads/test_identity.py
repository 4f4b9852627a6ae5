from urllib.parse import quote

import pytest

from parabench.uploads.identity import presented_certificate
from parabench.uploads.refusals import Refusal
from parabench.uploads.service import identify
from tests.certificates.factories import issue_certificate_for

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def _scope(client_ip, headers=(), chain=None):
    scope = {
        "client": (client_ip, 40000),
        "headers": [(k.encode(), v.encode()) for k, v in headers],
    }
    if chain is not None:
        scope["extensions"] = {"tls": {"client_cert_chain": chain}}
    return scope


def test_the_tls_extension_gives_the_certificate(settings):
    settings.UPLOADER_TRUSTED_PROXIES = []
    presented = presented_certificate(_scope("10.0.0.5", chain=[PEM]))
    assert (presented.pem, presented.proxy_verify) == (PEM, None)


def test_headers_from_an_untrusted_peer_are_ignored(settings):
    settings.UPLOADER_TRUSTED_PROXIES = ["127.0.0.1"]
    headers = [("x-ssl-client-cert", quote(PEM)), ("x-ssl-client-verify", "SUCCESS")]
    assert presented_certificate(_scope("127.0.0.2", headers)).pem is None


def test_headers_from_the_trusted_proxy_are_read_and_unescaped(settings):
    settings.UPLOADER_TRUSTED_PROXIES = ["127.0.0.1"]
    headers = [("x-ssl-client-cert", quote(PEM)), ("x-ssl-client-verify", "SUCCESS")]
    presented = presented_certificate(_scope("127.0.0.1", headers))
    assert (presented.pem, presented.proxy_verify) == (PEM.strip(), "SUCCESS")


def test_the_proxy_saying_none_means_no_certificate(settings):
    settings.UPLOADER_TRUSTED_PROXIES = ["127.0.0.1"]
    headers = [("x-ssl-client-cert", quote(PEM)), ("x-ssl-client-verify", "NONE")]
    assert presented_certificate(_scope("127.0.0.1", headers)).pem is None


def test_a_certificate_the_proxy_rejected_is_refused_even_if_the_database_accepts_it(
    db, settings, practice_a
):
    settings.UPLOADER_TRUSTED_PROXIES = ["127.0.0.1"]
    certificate, _pfx = issue_certificate_for(practice_a)
    headers = [
        ("x-ssl-client-cert", quote(certificate.certificate_pem)),
        ("x-ssl-client-verify", "FAILED:certificate revoked"),
    ]
    with pytest.raises(Refusal) as refused:
        identify(presented_certificate(_scope("127.0.0.1", headers)))
    assert refused.value.code == "certificate_invalid"
    accepted = [
        ("x-ssl-client-cert", quote(certificate.certificate_pem)),
        ("x-ssl-client-verify", "SUCCESS"),
    ]
    practice, fingerprint = identify(presented_certificate(_scope("127.0.0.1", accepted)))
    assert practice == practice_a and fingerprint == certificate.fingerprint_sha256


def test_an_unreadable_certificate_has_no_fingerprint_and_is_refused(db, settings):
    settings.UPLOADER_TRUSTED_PROXIES = ["127.0.0.1"]
    headers = [("x-ssl-client-cert", quote(PEM)), ("x-ssl-client-verify", "SUCCESS")]
    presented = presented_certificate(_scope("127.0.0.1", headers))
    assert presented.fingerprint is None
    with pytest.raises(Refusal) as refused:
        identify(presented)
    assert refused.value.code == "certificate_invalid"
