"""Opt-in e-mail notifications per user, and the theme verdicts a practice was last told about."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    """What a user wants to be told by e-mail. No row: nothing (notifications are opt-in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    on_import = models.BooleanField(_("bericht als een upload is ingelezen"), default=False)
    on_verdict = models.BooleanField(
        _("bericht als een import het oordeel over een thema verandert"), default=False
    )

    class Meta:
        verbose_name = _("voorkeur voor e-mailberichten")
        verbose_name_plural = _("voorkeuren voor e-mailberichten")

    def __str__(self):
        return str(self.user)


class ThemeVerdicts(models.Model):
    """The welcome symbols (national group) of a practice's newest dashboard, as last seen by
    the notifier: what a new import's symbols are compared with. Kept current only while a user
    of the practice gets verdict e-mails (the task is queued only then); set afresh when the
    first of them opts in (``notices.verdicts_opted_in``, docs/decisions.md)."""

    practice = models.OneToOneField(
        "practices.Practice",
        verbose_name=_("praktijk"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    imp = models.ForeignKey(
        "uploads.Import", verbose_name=_("import"), on_delete=models.SET_NULL, null=True
    )
    states = models.JSONField(_("oordelen per thema"), default=dict)

    class Meta:
        verbose_name = _("oordelen per thema")
        verbose_name_plural = _("oordelen per thema")

    def __str__(self):
        return str(self.practice_id)
