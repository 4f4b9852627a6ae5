"""The one way a coordinator view gets at a network: through the user's own coordinations."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from parabench.coordination.models import Coordinator
from parabench.practices.models import Network


def coordinated_networks(user):
    return Network.objects.filter(coordinators__user=user).order_by("number")


def coordinator_required(view):
    """Log in first; then pass the network the URL names if this user coordinates it: 404 for
    every other network, whether or not it exists."""

    @login_required
    @wraps(view)
    def wrapper(request, number, *args, **kwargs):
        role = (
            Coordinator.objects.select_related("network")
            .filter(user=request.user, network__number=number)
            .first()
        )
        if role is None:
            raise Http404("Geen coördinator van dit netwerk.")
        return view(request, role.network, *args, **kwargs)

    return wrapper
