"""The dashboard pages: thin views that read stored statistics through the benchmark queries."""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from parabench import language
from parabench.dashboard import access, explain, pages, presentation, report, spreadsheet
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


def old_url_values_redirect(view):
    """A bookmark with the Dutch ``?groep=``/``?tab=`` values of before issue 17 (landelijk,
    financien) opens the same page under today's keys (national, finance): a permanent redirect."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        renamed = presentation.renamed_query(request.GET)
        if renamed is not None:
            return redirect(f"{request.path}?{urlencode(renamed)}", permanent=True)
        return view(request, *args, **kwargs)

    return wrapper


# What a dashboard page reads of its import (not the stored warnings, errors, paths).
# format_version: whether an import without stored case-mix cells is a 1.0 export (queries.py).
DASHBOARD_FIELDS = (
    "practice_id",
    "status",
    "year",
    "period_begin",
    "period_end",
    "year_closed",
    "format_version",
)


@old_url_values_redirect
@login_required
def detail(request, import_id):
    # As practice_required, but the practice comes with the import (dashboard/access.py): only
    # the user's own practice's imports are found, every other one is a 404.
    if request.user.practice_id is None:
        raise Http404("Geen praktijk gekoppeld aan deze gebruiker.")
    imp = access.own_import(request.user.practice_id, import_id, DASHBOARD_FIELDS)
    if imp is None:
        raise Http404("Geen import van uw praktijk.")
    request.user.practice = imp.practice
    with language.one_language():
        context = pages.dashboard_page(
            imp,
            group=request.GET.get("groep"),
            tab=request.GET.get("tab"),
            kpi=request.GET.get("kengetal"),
        )
        return render(request, "dashboard/detail.html", {"nav": "dashboard", **context})


def _own_import(practice, import_id):
    imp = get_object_or_404(
        Import.objects.only(*DASHBOARD_FIELDS),
        pk=import_id,
        practice=practice,
        status=Import.Status.IMPORTED,
    )
    imp.practice = practice
    return imp


def _attachment(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@old_url_values_redirect
@practice_required
def report_pdf(request, practice, import_id):
    """The practice report for the chosen group, in the page's language (``?taal=`` nl/en
    overrides it)."""
    imp = _own_import(practice, import_id)
    group = presentation.group_param(request.GET.get("groep"))
    with translation.override(language.choice(request.GET.get("taal"))), language.one_language():
        pdf = report.render_pdf(report.report_context(imp, group))
    return _attachment(pdf, "application/pdf", report.filename(imp, group, "pdf"))


@old_url_values_redirect
@practice_required
def figures_xlsx(request, practice, import_id):
    imp = _own_import(practice, import_id)
    group = presentation.group_param(request.GET.get("groep"))
    with language.one_language():
        sheet = spreadsheet.figure_rows(imp, group)
        title = _("%(practice)s (AGB %(agb)s), %(year)s, vergeleken met: %(group)s") % {
            "practice": practice.name,
            "agb": practice.agb_code,
            "year": imp.year,
            "group": dict(pages.group_choices(imp))[group],
        }
        content = spreadsheet.to_xlsx(sheet, title)
    return _attachment(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        report.filename(imp, group, "xlsx"),
    )


@old_url_values_redirect
@practice_required
def figures_csv(request, practice, import_id):
    imp = _own_import(practice, import_id)
    group = presentation.group_param(request.GET.get("groep"))
    with language.one_language():
        text = spreadsheet.to_csv(spreadsheet.figure_rows(imp, group), not language.english())
    # A byte-order mark: Excel on Windows then reads the file as UTF-8 (€, ë).
    return _attachment(
        "\ufeff" + text, "text/csv; charset=utf-8", report.filename(imp, group, "csv")
    )


def uitleg(request):
    """Every figure explained, from the catalogue; open to everyone (the helpdesk too)."""
    with language.one_language():
        return render(
            request,
            "dashboard/uitleg.html",
            {
                "nav": "uitleg",
                "sections": explain.sections(),
                "size_classes": explain.size_classes(),
                "min_group_size": settings.MIN_GROUP_SIZE,
                "helpdesk": explain.helpdesk(),
            },
        )
