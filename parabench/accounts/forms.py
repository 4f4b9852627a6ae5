from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from parabench.accounts.tasks import send_password_reset


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Gebruikersnaam of wachtwoord klopt niet. Let op hoofdletters en kleine letters."
        ),
        "inactive": _("Dit account is uitgeschakeld. Neem contact op met ParaBench."),
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Only queues the reset mail: the answer takes as long for an unknown address as for an
    account's (see accounts/tasks.py)."""

    def save(self, **kwargs) -> None:
        send_password_reset.enqueue(self.cleaned_data["email"], translation.get_language())
