"""Forwarding headers: believed only from configured proxies, so the login lock-out cannot be
escaped by inventing a new X-Forwarded-For for every guess. Over real HTTP against the portal
process exactly as ``make run`` starts it."""

import gzip
import re

import pytest
from django.test import Client
from django.urls import reverse

from parabench.middleware import _compressed, client_address
from tests.portal_process import log_in


def test_the_client_address_is_the_peer_unless_the_peer_is_a_trusted_proxy():
    trusted = {"127.0.0.1"}
    assert client_address("203.0.113.9", "1.2.3.4", trusted) == "203.0.113.9"
    assert client_address("127.0.0.1", None, trusted) == "127.0.0.1"
    # nginx appends what it saw; whatever the client wrote further left is not believed.
    assert client_address("127.0.0.1", "6.6.6.6, 198.51.100.7", trusted) == "198.51.100.7"
    assert client_address("127.0.0.1", "198.51.100.7, 127.0.0.1", trusted) == "198.51.100.7"


def _guess_with_forged_addresses(port, password, *, source="127.0.0.1", real=None) -> int:
    """Ten wrong guesses, each claiming another address; then the right password. The answers:
    200 is "wrong password, try again", 429 "locked out"."""
    answers = []
    for n in range(10):
        forged = f"10.0.{n}.1" + (f", {real}" if real else "")
        status, _cookies = log_in(
            port, "anna", "fout-wachtwoord", forwarded_for=forged, source=source
        )
        answers.append(status)
    forged = "10.9.9.9" + (f", {real}" if real else "")
    answers.append(log_in(port, "anna", password, forwarded_for=forged, source=source)[0])
    return answers


@pytest.mark.slow
def test_forged_forwarding_headers_escaped_the_lock_out_when_the_portal_trusted_them(
    start_portal, user_a, password
):
    """The attack, shown against the portal as ``make run`` used to start it."""
    port = start_portal(unsafe=True)
    # Never locked; the right password then logs in (302 to the profile).
    assert _guess_with_forged_addresses(port, password) == [200] * 10 + [302]


@pytest.mark.slow
def test_the_embedded_portal_locks_out_whatever_x_forwarded_for_claims(
    start_portal, user_a, password
):
    port = start_portal()
    assert _guess_with_forged_addresses(port, password) == [200] * 4 + [429] * 7


@pytest.mark.slow
def test_behind_a_trusted_proxy_the_address_it_saw_is_locked_out(start_portal, user_a, password):
    port = start_portal(TRUSTED_PROXIES="127.0.0.1")
    # As through nginx: the client's own X-Forwarded-For, then the address nginx appended.
    assert _guess_with_forged_addresses(port, password, real="198.51.100.7") == (
        [200] * 4 + [429] * 7
    )


@pytest.mark.slow
def test_forwarding_headers_from_an_address_that_is_not_the_proxy_are_ignored(
    start_portal, user_a, password
):
    port = start_portal(TRUSTED_PROXIES="127.0.0.1")
    assert _guess_with_forged_addresses(port, password, source="127.0.0.2") == (
        [200] * 4 + [429] * 7
    )


# --- Headers of every page ----------------------------------------------------------------------

INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
def test_every_page_has_a_content_security_policy_and_runs_no_inline_script(
    client_a, operator_client, anonymous_client
):
    pages = [
        (anonymous_client, "/inloggen/"),
        (anonymous_client, "/wachtwoord/vergeten/"),
        (client_a, "/profiel/"),
        (client_a, reverse("certificates:details")),
        (operator_client, "/backoffice/"),
    ]
    nonces = set()
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"], url
        (nonce,) = [s for s in policy["script-src"] if s.startswith("'nonce-")]
        nonces.add(nonce)
        html = response.content.decode()
        assert not INLINE_HANDLER.search(html), url
        for attributes in SCRIPT_TAG.findall(html):
            # Only files of our own, data blocks that never run, or a script with the nonce.
            assert (
                "src=" in attributes
                or 'type="application/json"' in attributes
                or nonce.strip("'").removeprefix("nonce-") in attributes
            ), (url, attributes)
    assert len(nonces) == len(pages)  # a fresh nonce per response


@pytest.mark.django_db
def test_production_redirects_to_https_and_sends_hsts_only_when_the_proxy_says_https(
    anonymous_client, settings
):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()  # its middleware is built with these settings

    plain = client.get("/inloggen/")
    assert (plain.status_code, plain["Location"]) == (301, "https://testserver/inloggen/")
    secure = client.get("/inloggen/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    # The same header from an address that is not the proxy is not believed.
    forged = client.get(
        "/inloggen/", headers={"X-Forwarded-Proto": "https"}, REMOTE_ADDR="203.0.113.5"
    )
    assert forged.status_code == 301


def test_a_page_is_compressed_at_the_fastest_level_when_the_browser_asks_for_gzip(
    anonymous_client,
):
    plain = anonymous_client.get("/inloggen/")
    packed = anonymous_client.get("/inloggen/", HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)
    # The same page (but for its fresh nonce and CSRF token), compressed by ISA-L's fastest level
    # with the "fastest" mark in the gzip header (XFL = 4): Django's own middleware writes
    # zlib's level 6 (XFL = 0), and ISA-L's own header leaves it 0.
    assert len(gzip.decompress(packed.content)) == len(plain.content)
    assert packed.content[8] == 4


def test_a_compressed_page_varies_in_length_by_its_random_padding_as_djangos_does():
    page = b"<p>" + b"Uw praktijk " * 500 + b"</p>"
    packed = {_compressed(page, 100) for _ in range(40)}
    assert len({len(p) for p in packed}) > 5  # BREACH: the length alone says little
    assert {gzip.decompress(p) for p in packed} == {page}
