"""The dashboard pages: thin views that read stored statistics through the benchmark queries."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from parabench.practices.access import practice_required
from parabench.uploads.models import Import


@practice_required
def latest(request, practice):
    """The "Dashboard" menu item: the newest imported export that counts, else the Dashboards list."""
    imp = (
        Import.objects.filter(practice=practice, status=Import.Status.IMPORTED)
        .order_by("-period_end", "-imported_at", "-id")
        .first()
    )
    if imp is None:
        return redirect(reverse("practices:profile") + "#dashboards")
    return redirect("dashboard:detail", import_id=imp.pk)


@practice_required
def detail(request, practice, import_id):
    imp = get_object_or_404(
        Import, pk=import_id, practice=practice, status=Import.Status.IMPORTED
    )
    return render(request, "dashboard/detail.html", {"practice": practice, "imp": imp})
