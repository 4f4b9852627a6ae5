"""The header figures on every portal page of a practice user.

Read at most once every ``HEADER_SECONDS`` per session: the raw numbers are kept in the session
(written in the page's language only when shown), so that a page costs no query for them — a
dashboard page reads five. A new import shows in the header within that time.
"""

import time

from django.utils.functional import SimpleLazyObject

from parabench.dashboard import explain
from parabench.uploads.models import Import

SESSION_KEY = "parabench_header"
HEADER_SECONDS = 300


def _read(practice) -> dict | None:
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
        "imp": imp.pk,
        "year": imp.year,
        "quarter": (imp.period_end.month - 1) // 3 + 1,
        "values": {code: list(pair) for code, pair in explain.header_values(imp).items()},
    }


def _header(request) -> dict:
    practice_id = request.user.practice_id
    now = time.time()
    entry = request.session.get(SESSION_KEY)
    if not entry or entry.get("practice") != practice_id or entry.get("until", 0) < now:
        data = _read(request.user.practice)
        entry = {"practice": practice_id, "until": now + HEADER_SECONDS, "data": data}
        request.session[SESSION_KEY] = entry
    data = entry["data"]
    if data is None:
        return {}
    return {
        "imp": data["imp"],
        "period": explain.header_period(data["year"], data["quarter"]),
        "figures": explain.header_figures(data["values"]),
    }


def header_figures(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "practice_id", None):
        return {}
    return {"header_figures": SimpleLazyObject(lambda: _header(request))}
