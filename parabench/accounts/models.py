from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: a practice user (with a practice) or an operator (staff, none)."""

    practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("praktijk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")


def acting_user(verbose_name) -> models.ForeignKey:
    """The user who did something to a row (issued it, blocked it, invited, decided …).

    ``SET_NULL``: the row outlives the account (what was done stays on record); no reverse
    accessor (``related_name="+"``): nothing asks a user for everything it ever touched. One
    definition, so the rule is the same on every such field."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


class Record(models.Model):
    """A row written once as the record of something that happened, stamped when it is written
    and listed newest first: the login audit, a coordinator's page views, a practice's consent
    decisions."""

    at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]


class LoginEvent(Record):
    """The audit of logging in: password, second factor, recovery codes, 2FA set up or removed.

    The security page shows a practice its users' recent rows; operators see them all.
    """

    class Action(models.TextChoices):
        PASSWORD_OK = "password_ok", _("wachtwoord juist")
        PASSWORD_FAILED = "password_failed", _("wachtwoord onjuist")
        OTP_OK = "otp_ok", _("ingelogd met code")
        OTP_FAILED = "otp_failed", _("code onjuist")
        RECOVERY_USED = "recovery_used", _("ingelogd met herstelcode")
        TWO_FACTOR_ON = "2fa_on", _("tweestapsverificatie aangezet")
        TWO_FACTOR_OFF = "2fa_off", _("tweestapsverificatie uitgezet")
        LOCKED_OUT = "locked_out", _("geblokkeerd na te veel pogingen")

    user = models.ForeignKey(
        User,
        verbose_name=_("gebruiker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="login_events",
    )
    username = models.CharField(_("gebruikersnaam"), max_length=150)
    action = models.CharField(_("actie"), max_length=16, choices=Action.choices)
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)

    class Meta(Record.Meta):
        verbose_name = _("inloggebeurtenis")
        verbose_name_plural = _("inloggebeurtenissen (auditlog)")

    def __str__(self):
        return f"{self.username} {self.get_action_display()}"
