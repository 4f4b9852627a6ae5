from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parabench.practices.access import practice_required
from parabench.practices.forms import ProfileForm


@practice_required
def profile(request, practice):
    return render(
        request,
        "practices/profile.html",
        {"practice": practice, "profile_form": ProfileForm(instance=practice)},
    )


@require_POST
@practice_required
def declare_profile(request, practice):
    """The practice declares its profile: its peer group "Landelijk · zelfde profiel"."""
    form = ProfileForm(request.POST, instance=practice)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            _(
                "Uw praktijkprofiel is opgeslagen. De vergelijking met praktijken met hetzelfde "
                "profiel wordt binnen enkele minuten bijgewerkt."
            ),
        )
    return redirect("practices:profile")
