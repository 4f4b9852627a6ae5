from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parabench.practices.provinces import PROVINCE_HELP, Province, province_for_postcode
from parabench.practices.validators import normalise_postcode, validate_agb_code, validate_postcode


class Network(models.Model):
    """A samenwerkingsverband: practices that compare themselves with each other."""

    number = models.PositiveIntegerField(_("netwerknummer"), unique=True)
    name = models.CharField(_("naam"), max_length=120)

    class Meta:
        verbose_name = _("netwerk (samenwerkingsverband)")
        verbose_name_plural = _("netwerken (samenwerkingsverbanden)")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} – {self.name}"


class Profile(models.TextChoices):
    """What a practice declares it mainly does (Profiel): a peer group of its own kind.

    One choice, not a set: every extra dimension multiplies the groups and shrinks them below
    the minimum size (docs/privacy.md, "Peer groups by kind").
    """

    GENERAL = "algemeen", _("algemene fysiotherapie")
    CHILDREN = "kinderen", _("kinderfysiotherapie")
    PELVIC = "bekken", _("bekkenfysiotherapie")
    OEDEMA = "oedeem", _("oedeemfysiotherapie")
    MANUAL = "manueel", _("manuele therapie")
    GERIATRIC = "geriatrie", _("geriatriefysiotherapie")
    MULTIDISCIPLINARY = "multi", _("multidisciplinair centrum")


class Practice(models.Model):
    class Status(models.TextChoices):
        CUSTOMER = "klant", _("klant")
        TRIAL = "proef", _("proef")
        CANCELLED = "opgezegd", _("opgezegd")

    # Text, never a number: the leading zero of 04123451 is part of the code.
    agb_code = models.CharField(
        _("AGB-code"),
        max_length=8,
        unique=True,
        validators=[validate_agb_code],
        error_messages={"unique": _("Er is al een praktijk met deze AGB-code.")},
    )
    debtor_number = models.CharField(
        _("Intramed debiteurnummer"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d+$", _("Een debiteurnummer bestaat alleen uit cijfers."))],
    )
    name = models.CharField(_("praktijknaam"), max_length=120)
    street = models.CharField(_("straat en huisnummer"), max_length=120, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, validators=[validate_postcode]
    )
    city = models.CharField(_("woonplaats"), max_length=80, blank=True)
    province = models.CharField(
        _("provincie"), max_length=2, choices=Province.choices, blank=True, help_text=PROVINCE_HELP
    )
    network = models.ForeignKey(
        Network,
        verbose_name=_("netwerk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CUSTOMER
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    # Declared by the practice itself; empty = not declared (no profile peer group).
    profile = models.CharField(
        _("praktijkprofiel"), max_length=10, choices=Profile.choices, blank=True
    )

    class Meta:
        verbose_name = _("praktijk")
        verbose_name_plural = _("praktijken")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agb_code__regex=r"^[0-9]{8}$"), name="practice_agb_8_digits"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.agb_code})"

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        if self.postcode:
            self.postcode = normalise_postcode(self.postcode)
            if not self.province:
                derived = province_for_postcode(self.postcode)
                if derived:
                    self.province = derived

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED
