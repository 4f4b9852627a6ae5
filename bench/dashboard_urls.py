"""URLconf of the dashboard benchmark: the real portal plus one minimal view to compare with."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """No session, no user: the cost of the server and the middleware stack alone."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def minimal(request):
    """The floor: same server, same middleware, session and user lookup; no work at all."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/minimal/", minimal, name="bench-minimal"),
    path("", include("parabench.urls")),
]
