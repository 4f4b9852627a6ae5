"""The one way a view gets at a practice: through the logged-in user, never through a URL id."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def practice_required(view):
    """Log in first; then pass the user's own practice as ``practice``. Operators have none: 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        practice = request.user.practice
        if practice is None:
            raise Http404("Geen praktijk gekoppeld aan deze gebruiker.")
        return view(request, practice, *args, **kwargs)

    return wrapper
