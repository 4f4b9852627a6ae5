"""The dashboard pages: thin views that read stored statistics through the benchmark queries."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from parabench import language
from parabench.dashboard import pages
from parabench.practices.access import practice_required
from parabench.uploads.models import Import


@practice_required
def latest(request, practice):
    """The "Dashboard" menu item: the newest imported period, else the Dashboards list."""
    imp = (
        Import.objects.filter(practice=practice, status=Import.Status.IMPORTED)
        .order_by("-is_current", "-period_end", "-imported_at", "-id")
        .first()
    )
    if imp is None:
        return redirect(reverse("practices:profile") + "#dashboards")
    return redirect("dashboard:detail", import_id=imp.pk)


# What a dashboard page reads of its import (not the stored warnings, errors, paths).
DASHBOARD_FIELDS = ("practice_id", "status", "year", "period_begin", "period_end", "year_closed")


@practice_required
def detail(request, practice, import_id):
    # Filtering on the user's own practice makes every other practice's import a 404.
    imp = get_object_or_404(
        Import.objects.only(*DASHBOARD_FIELDS),
        pk=import_id,
        practice=practice,
        status=Import.Status.IMPORTED,
    )
    imp.practice = practice  # the user's own, already loaded with its network
    with language.one_language():
        context = pages.dashboard_page(
            imp,
            group=request.GET.get("groep"),
            tab=request.GET.get("tab"),
            kpi=request.GET.get("kengetal"),
        )
        return render(request, "dashboard/detail.html", {"nav": "dashboard", **context})
