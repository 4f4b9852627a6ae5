"""When a login ends: after a quiet spell (``SESSION_IDLE_MINUTES``, 30 by default), when the
browser closes (``SESSION_EXPIRE_AT_BROWSER_CLOSE``: the session cookie has no expiry date),
and on logging out — each time with a message that says so on the login page.

The idle clock is a timestamp in the session, written at most once a minute, so that a page
view does not always cost a session write (Django's ``SESSION_SAVE_EVERY_REQUEST`` would).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_out
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils.translation import gettext as _

LAST_SEEN = "parabench_last_seen"
WRITE_EVERY = 60  # seconds


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                request.idle_logout = True
                logout(request)
                messages.info(
                    request,
                    _(
                        "U bent uitgelogd omdat u %(minutes)s minuten niets heeft gedaan. "
                        "Log opnieuw in om verder te gaan."
                    )
                    % {"minutes": settings.SESSION_IDLE_MINUTES},
                )
                return redirect_to_login(request.get_full_path())
            if last is None or now - last > WRITE_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


@receiver(user_logged_out)
def say_logged_out(sender, request, user, **kwargs):
    """The login page after logging out says so (an idle logout says why instead)."""
    if request is None or getattr(request, "idle_logout", False):
        return
    messages.success(
        request,
        _(
            "U bent uitgelogd. Op een gedeelde computer: sluit ook de browser, dan is niets "
            "van uw sessie meer te gebruiken."
        ),
    )
