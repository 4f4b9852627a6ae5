"""Request-wide behaviour that belongs to no single app."""

import gzip
import secrets

from django.conf import settings
from django.middleware import gzip as django_gzip
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from isal import isal_zlib


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the user chose otherwise in the language menu.

    Django's own middleware follows the browser's Accept-Language, but many Dutch practices run
    English-language Windows; ParaBench is a Dutch service, so only an explicit choice (the
    language cookie set by the footer menu) switches to English.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def client_address(peer: str, forwarded_for: str | None, trusted_proxies) -> str:
    """The address of whoever is on the other end: the TCP peer, unless that is a trusted proxy.

    Behind a trusted proxy, X-Forwarded-For is read from the right (each proxy appends the
    address it saw) and the first address that is not itself a trusted proxy is the client's;
    what a client wrote further left is its own claim and never believed.
    """
    if peer not in trusted_proxies or not forwarded_for:
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if hop and hop not in trusted_proxies:
            return hop
    return peer


class TrustedProxyMiddleware:
    """Forwarding headers count only when the request comes from one of TRUSTED_PROXIES.

    The embedded servers trust none (uvicorn runs with ``--no-proxy-headers``), so a forged
    X-Forwarded-For cannot change the address that the login lock-out and the certificate audit
    log see. In production nginx is listed: the client address then comes from its
    X-Forwarded-For and the scheme from its X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER), and
    both headers are removed from anyone else's request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = frozenset(settings.TRUSTED_PROXIES)

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        if peer in self.trusted:
            meta["REMOTE_ADDR"] = client_address(
                peer, meta.get("HTTP_X_FORWARDED_FOR"), self.trusted
            )
        else:
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        meta.pop("HTTP_X_FORWARDED_FOR", None)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send CONTENT_SECURITY_POLICY on every response, with a fresh nonce per request.

    The portal's own pages load scripts only from static files ('self'); a template that cannot
    do without an inline script marks it ``<script nonce="{{ request.csp_nonce }}">``. Styles
    allow inline ``style`` attributes (small layout fixes, chart libraries); scripts never run
    inline, from attributes (onclick, onchange) or from another origin. A view that needs another
    policy sets the header itself; it is then left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}"
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy.replace("{nonce}", request.csp_nonce)
        return response


# Whole pages are compressed by ISA-L (the ``isal`` package: Intel's deflate, the same gzip format
# every browser reads) at its level 1. zlib's fastest level (1) took 0.61 ms for a Kwaliteit page
# of 109 KB of HTML and 0.37 ms for a Klachten page of 66 KB (21.5 and 13.8 KB sent); ISA-L's
# level 1 takes 0.11 and 0.07 ms for 20.6 and 13.3 KB: five times faster and a little smaller
# (best of 100, 30 November 2026, issue 18: compressing was 0.53 of a heavy tab's 7.9 ms of CPU).
# ISA-L's level 2 saves 1.5 % more bytes in 5-10 % more time, level 3 6 % in twice the time.
# Before (issue 18): zlib at Django's level 6 took 1.72 ms for that page, for 16.1 KB.
PAGE_COMPRESS_LEVEL = 1


class GZipMiddleware(django_gzip.GZipMiddleware):
    """Django's GZip middleware with whole pages compressed by ISA-L at ``PAGE_COMPRESS_LEVEL``.

    Every browser asks for gzip, so this runs on every page a practice opens; Django's level is
    fixed at 6. Streamed responses (downloads) are left to Django as they are. The BREACH
    mitigation stays Django's: a random-length file name in the gzip header.
    """

    def process_response(self, request, response):
        if (
            response.streaming
            or len(response.content) < 200
            or response.has_header("Content-Encoding")
        ):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        if not django_gzip.re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = _compressed(response.content, self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response


def _compressed(content: bytes, max_random_bytes: int) -> bytes:
    """As ``django.utils.text.compress_string``, by ISA-L at PAGE_COMPRESS_LEVEL: the gzip header
    carries a file name of 0 to ``max_random_bytes`` - 1 bytes, so that a page's compressed length
    does not give away what it holds (BREACH), and says "fastest" (XFL = 4) as zlib's level 1
    did (ISA-L's own header leaves XFL 0; the field is advisory)."""
    # wbits 31: a gzip member (header, deflate, CRC-32 and length), mtime 0, as gzip.compress.
    data = memoryview(isal_zlib.compress(content, PAGE_COMPRESS_LEVEL, wbits=31))
    header = bytearray(data[:10])
    header[3] = gzip.FNAME
    header[8] = 4
    return bytes(header) + b"a" * secrets.randbelow(max_random_bytes) + b"\x00" + data[10:]
