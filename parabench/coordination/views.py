"""The network coordinator's pages: thin views; every one is logged (``CoordinatorView``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from parabench import language
from parabench.benchmark import queries
from parabench.coordination import consent, pages
from parabench.coordination.access import coordinated_networks, coordinator_required
from parabench.coordination.models import CoordinatorView
from parabench.practices.access import practice_required


def home(request):
    """Where "/" and a login lead: a practice user to Profiel, a coordinator without a
    practice to the networks, an operator to the back office."""
    user = request.user
    if user.is_authenticated and user.practice_id is None:
        if coordinated_networks(user).exists():
            return redirect("coordination:networks")
        if user.is_staff:
            return redirect("admin:index")
    return redirect("practices:profile")


def _log(request, network, page, practice=None, detail=""):
    CoordinatorView.objects.create(
        user=request.user, network=network, page=page, practice=practice, detail=detail
    )


def _context(network, section, **extra):
    return {"nav": "networks", "network": network, "section": section, **extra}


@never_cache
@login_required
def networks(request):
    found = list(coordinated_networks(request.user))
    if not found:
        raise Http404("Geen coördinator.")
    if len(found) == 1:
        return redirect("coordination:participation", number=found[0].number)
    return render(request, "coordination/networks.html", {"nav": "networks", "networks": found})


@never_cache
@coordinator_required
def participation(request, network):
    years, members = pages.participation(network)
    _log(request, network, CoordinatorView.Page.PARTICIPATION)
    return render(
        request,
        "coordination/participation.html",
        _context(network, "participation", years=years, members=members),
    )


def _period(network, wanted):
    """The chosen (year, window) among the network's periods (``?jaar=``), else the newest."""
    periods = queries.group_periods(pages.network_group(network))
    chosen = next((p for p in periods if str(p[0]) == wanted), periods[0] if periods else None)
    return periods, chosen


@never_cache
@coordinator_required
def distribution(request, network):
    periods, chosen = _period(network, request.GET.get("jaar"))
    extra = {"periods": periods, "chosen": chosen, "figures": None}
    with language.one_language():
        if chosen is not None:
            extra["figures"] = pages.distribution(network, *chosen)
            extra["period"] = pages.period_label(*chosen)
        _log(
            request,
            network,
            CoordinatorView.Page.DISTRIBUTION,
            detail="" if chosen is None else " ".join(map(str, chosen)),
        )
        return render(
            request, "coordination/distribution.html", _context(network, "distribution", **extra)
        )


@never_cache
@coordinator_required
def trend(request, network):
    periods = queries.group_periods(pages.network_group(network))
    with language.one_language():
        series = pages.trend(network, periods)
        _log(request, network, CoordinatorView.Page.TREND)
        return render(
            request,
            "coordination/trend.html",
            _context(network, "trend", series=series, periods=periods),
        )


@never_cache
@coordinator_required
def member(request, network, agb_code):
    """A member's own figures: only while it consents, checked at every request."""
    practice = get_object_or_404(network.practices, agb_code=agb_code)
    if not consent.has_consented(practice):
        raise Http404("Geen toestemming van deze praktijk.")
    with language.one_language():
        figures = pages.member_figures(practice)
        _log(request, network, CoordinatorView.Page.PRACTICE, practice=practice)
        return render(
            request,
            "coordination/member.html",
            _context(network, "participation", practice=practice, figures=figures),
        )


@require_POST
@practice_required
def decide(request, practice):
    """Profiel: the practice gives or withdraws consent; withdrawing holds from the next request."""
    if practice.network_id is None:
        raise Http404("Geen netwerk.")
    given = request.POST.get("toestemming") == "ja"
    consent.decide(practice, request.user, given)
    if given:
        messages.success(
            request,
            _("De coördinator van uw netwerk kan nu de cijfers van uw praktijk zien."),
        )
    else:
        messages.success(
            request,
            _(
                "Uw toestemming is ingetrokken: de coördinator ziet de cijfers van uw praktijk "
                "vanaf nu niet meer."
            ),
        )
    return redirect("/profiel/#toestemming")
