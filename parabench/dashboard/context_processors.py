"""The header figures on every portal page of a practice user, read only when a page shows them."""

from django.utils.functional import SimpleLazyObject

from parabench.dashboard import explain
from parabench.uploads.models import Import


def _latest(practice):
    imp = (
        Import.objects.filter(practice=practice, status=Import.Status.IMPORTED)
        .only("practice_id", "status", "year", "period_begin", "period_end", "year_closed")
        .order_by("-is_current", "-period_end", "-imported_at", "-id")
        .first()
    )
    if imp is None:
        return None
    imp.practice = practice
    return {
        "imp": imp,
        "period": explain.header_period(imp),
        "figures": explain.header_figures(imp),
    }


def header_figures(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "practice_id", None):
        return {}
    return {"header_figures": SimpleLazyObject(lambda: _latest(user.practice) or {})}
