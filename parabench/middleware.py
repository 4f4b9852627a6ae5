"""Request-wide behaviour that belongs to no single app."""

import secrets

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
