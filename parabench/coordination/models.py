"""Network coordination: who coordinates which network, members' consent, and what a
coordinator viewed (docs/privacy.md, "The network coordinator")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parabench.accounts.models import Record, acting_user


class Coordinator(models.Model):
    """A user who coordinates a network, invited by an operator. A user may coordinate several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.CASCADE,
        related_name="coordinations",
    )
    network = models.ForeignKey(
        "practices.Network",
        verbose_name=_("netwerk"),
        on_delete=models.CASCADE,
        related_name="coordinators",
    )
    invited_by = acting_user(_("uitgenodigd door"))
    invited_at = models.DateTimeField(_("uitgenodigd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("netwerkcoördinator")
        verbose_name_plural = _("netwerkcoördinatoren")
        ordering = ["network__number", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "network"], name="coordinator_once_per_network")
        ]

    def __str__(self):
        return f"{self.user} – {self.network}"


class Consent(Record):
    """One decision of a member practice: it gives or withdraws consent to show its identified
    figures to its network's coordinators. Never edited: the newest row is what holds, the
    others are the record the practice and the operator see."""

    practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("praktijk"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    network = models.ForeignKey(
        "practices.Network",
        verbose_name=_("netwerk"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    given = models.BooleanField(_("toestemming gegeven"))
    by = acting_user(_("door"))

    class Meta(Record.Meta):
        verbose_name = _("toestemming van een praktijk")
        verbose_name_plural = _("toestemmingen van praktijken")

    def __str__(self):
        decision = _("toestemming gegeven") if self.given else _("geen toestemming")
        return f"{self.practice} – {self.network}: {decision}"


class CoordinatorView(Record):
    """The audit trail: every coordinator page served, with the practice if it named one."""

    class Page(models.TextChoices):
        PARTICIPATION = "participation", _("deelname")
        DISTRIBUTION = "distribution", _("verdeling")
        TREND = "trend", _("trend")
        PRACTICE = "practice", _("cijfers van een praktijk")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    network = models.ForeignKey(
        "practices.Network", verbose_name=_("netwerk"), on_delete=models.CASCADE, related_name="+"
    )
    page = models.CharField(_("pagina"), max_length=16, choices=Page.choices)
    practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("praktijk"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.CharField(_("details"), max_length=60, blank=True)

    class Meta(Record.Meta):
        verbose_name = _("bekeken door een coördinator")
        verbose_name_plural = _("bekeken door coördinatoren (auditlog)")

    def __str__(self):
        return f"{self.user} {self.get_page_display()} {self.at:%Y-%m-%d %H:%M}"
