"""The one way a view gets at a practice: through the logged-in user, never through a URL id."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from parabench.practices.models import Practice


def practice_required(view):
    """Log in first; then pass the user's own practice as ``practice``. Operators have none: 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.practice_id is None:
            raise Http404("Geen praktijk gekoppeld aan deze gebruiker.")
        # With its network: the profile and every dashboard name it. One query, not two.
        practice = Practice.objects.select_related("network").get(pk=request.user.practice_id)
        request.user.practice = practice
        return view(request, practice, *args, **kwargs)

    return wrapper
