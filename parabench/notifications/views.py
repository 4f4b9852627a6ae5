from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parabench.notifications import notices
from parabench.notifications.forms import PreferenceForm
from parabench.notifications.models import Preference
from parabench.practices.access import practice_required


@require_POST
@practice_required
def preferences(request, practice):
    """Profiel → E-mailberichten: each user chooses for itself (opt-in)."""
    preference, _created = Preference.objects.get_or_create(user=request.user)
    had_verdicts = preference.on_verdict
    form = PreferenceForm(request.POST, instance=preference)
    if form.is_valid():
        with transaction.atomic():
            if form.cleaned_data["on_verdict"] and not had_verdicts:
                notices.verdicts_opted_in(request.user, practice)
            form.save()
        messages.success(request, _("Uw keuze voor e-mailberichten is opgeslagen."))
    return redirect("/profiel/#berichten")
