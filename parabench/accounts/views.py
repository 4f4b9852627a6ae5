"""Login and its second step; the rules are in twofactor.py."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from parabench.accounts import twofactor
from parabench.accounts.forms import LoginForm

login = auth_views.LoginView.as_view(
    authentication_form=LoginForm, redirect_authenticated_user=True
)


def _home(user) -> str:
    return reverse("admin:index") if user.is_staff and not user.practice_id else "/"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step: a code from the authenticator app, or one recovery code."""
    if request.user.is_verified():
        return redirect(twofactor.safe_next(request, _home(request.user)))
    if not twofactor.has_second_factor(request.user):
        # The device was removed (e.g. by an operator) since this session started.
        twofactor.remember_second_factor(request, False)
        if twofactor.is_required(request.user):
            return redirect("two_factor_setup")
        return redirect(twofactor.safe_next(request, _home(request.user)))
    error = ""
    if request.method == "POST":
        if twofactor.is_locked_out(request):
            twofactor.lock_out(request)
            return render(request, "registration/locked_out.html", status=429)
        action = twofactor.verify(request, request.POST.get("code", ""))
        if action is not None:
            if action == twofactor.LoginEvent.Action.RECOVERY_USED:
                messages.warning(
                    request,
                    _(
                        "U bent ingelogd met een herstelcode; die werkt geen tweede keer. Stel "
                        "een nieuwe telefoon in als u de oude kwijt bent."
                    ),
                )
            return redirect(twofactor.safe_next(request, _home(request.user)))
        if twofactor.is_locked_out(request):
            twofactor.lock_out(request)
            return render(request, "registration/locked_out.html", status=429)
        error = _("Deze code klopt niet. Probeer de volgende code uit de app of een herstelcode.")
    return render(
        request,
        "registration/two_factor_verify.html",
        {"error": error, "next": twofactor.safe_next(request, "")},
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up (or replace) the authenticator app; shows the recovery codes once."""
    user = request.user
    if twofactor.has_second_factor(user) and not user.is_verified():
        # Replacing the phone needs the second factor first (a recovery code will do).
        return redirect(f"{reverse('two_factor_verify')}?next={reverse('two_factor_setup')}")
    device = twofactor.pending_totp(user)
    error = ""
    if request.method == "POST":
        codes = twofactor.confirm_setup(request, device, request.POST.get("code", ""))
        if codes is not None:
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": twofactor.safe_next(request, _home(user))},
            )
        error = _("Deze code klopt niet. Kijk of de klok van uw telefoon goed staat.")
    url, secret = twofactor.provisioning(device)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "qr": twofactor.qr_svg(url),
            "secret": secret,
            "error": error,
            "required": twofactor.is_required(user),
            "next": twofactor.safe_next(request, ""),
        },
        status=400 if error else 200,
    )


@never_cache
@login_required
def overview(request):
    """Tweestapsverificatie: on or off, new recovery codes, switch off (practice users only)."""
    return render(
        request,
        "registration/two_factor_overview.html",
        {
            "enabled": twofactor.has_second_factor(request.user),
            "required": twofactor.is_required(request.user),
            "nav": "profile",
        },
    )


@require_POST
@login_required
def recovery_codes(request):
    if not (request.user.is_verified() and twofactor.has_second_factor(request.user)):
        return redirect("two_factor_overview")
    codes = twofactor.new_recovery_codes(request.user)
    return render(
        request,
        "registration/two_factor_codes.html",
        {"codes": codes, "next": reverse("two_factor_overview")},
    )


@require_POST
@login_required
def switch_off(request):
    if twofactor.is_required(request.user):
        messages.error(request, _("Voor beheerders is tweestapsverificatie verplicht."))
        return redirect("two_factor_overview")
    if twofactor.has_second_factor(request.user) and request.user.is_verified():
        twofactor.switch_off(request)
        messages.success(request, _("Tweestapsverificatie staat uit."))
    return redirect("two_factor_overview")
