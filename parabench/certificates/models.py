"""Client certificates and their audit trail. The database, not the CRL, is the authority."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parabench.accounts.models import acting_user


class IssuedCertificate(models.Model):
    """What ParaBench keeps of every certificate one of its CAs signed, whoever it is for: the
    certificate, who issued it, and whether it is blocked. The row, not the CRL, is the
    authority: blocked, expired and not yet valid are read from here (``lookup``) and the CRL
    is made from ``blocked_at``."""

    serial_hex = models.CharField(_("serienummer (hex)"), max_length=40)
    issuer = models.CharField(_("uitgever"), max_length=255)
    fingerprint_sha256 = models.CharField(_("SHA-256-vingerafdruk"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("datum start"))
    not_after = models.DateTimeField(_("datum eind"))
    certificate_pem = models.TextField(_("certificaat (PEM)"))
    issued_at = models.DateTimeField(_("uitgegeven"), default=timezone.now)
    issued_by = acting_user(_("uitgegeven door"))
    blocked_at = models.DateTimeField(_("geblokkeerd"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None

    def is_expired(self, at: dt.datetime | None = None) -> bool:
        return (at or timezone.now()) >= self.not_after

    def is_not_yet_valid(self, at: dt.datetime | None = None) -> bool:
        return (at or timezone.now()) < self.not_before

    def refusal(self, at: dt.datetime) -> str | None:
        """Why the certificate may not be used at ``at`` (an uploader code), None when it may:
        blocked first, then expired, then not yet valid."""
        if self.is_blocked:
            return "certificate_blocked"
        if self.is_expired(at):
            return "certificate_expired"
        if self.is_not_yet_valid(at):
            return "certificate_not_yet_valid"
        return None


class ClientCertificate(IssuedCertificate):
    """One certificate a practice issued for its software.

    The private key lives here only between issue and the first download, sealed with AES-GCM
    (see pki.seal_private_key); after the download ``sealed_key`` is emptied for good.
    """

    practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("praktijk"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )

    class Origin(models.TextChoices):
        PFX = "pfx", _("in het portaal gemaakt (.pfx)")
        CSR = "csr", _("aangevraagd met eigen sleutel")
        RENEWAL = "renewal", _("vernieuwd door de exportsoftware")

    # Per practice 1, 2, 3 …: what the practice sees as Certificaat# and in the file name.
    number = models.PositiveIntegerField(_("certificaatnummer"))
    name = models.CharField(_("naam"), max_length=64)
    sealed_key = models.BinaryField(_("versleutelde sleutel"), null=True, editable=False)
    # The one-time token of the form that asked for this certificate: a second submit of the same
    # form finds this row instead of creating another certificate.
    issue_token = models.CharField(_("formuliertoken"), max_length=64, blank=True)
    downloaded_at = models.DateTimeField(_("gedownload"), null=True, blank=True)
    origin = models.CharField(
        _("herkomst"), max_length=8, choices=Origin.choices, default=Origin.PFX
    )
    # SHA-256 of the public key (SubjectPublicKeyInfo): a request sent again after a lost answer
    # finds the certificate already signed for that key instead of getting a second one.
    public_key_sha256 = models.CharField(
        _("SHA-256 van de publieke sleutel"), max_length=64, blank=True, db_index=True
    )
    renewed_from = models.ForeignKey(
        "self",
        verbose_name=_("vernieuwing van"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    blocked_by = acting_user(_("geblokkeerd door"))

    class Meta:
        verbose_name = _("certificaat")
        verbose_name_plural = _("certificaten")
        ordering = ["practice", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "number"], name="certificate_number_per_practice"
            ),
            models.UniqueConstraint(fields=["issuer", "serial_hex"], name="certificate_serial"),
            models.UniqueConstraint(
                fields=["practice", "issue_token"],
                condition=~models.Q(issue_token=""),
                name="certificate_issue_token_once",
            ),
            # A key is either still sealed or the certificate was downloaded, never both.
            models.CheckConstraint(
                condition=models.Q(sealed_key__isnull=True) | models.Q(downloaded_at__isnull=True),
                name="certificate_key_gone_after_download",
            ),
        ]

    def __str__(self):
        return f"{self.practice.agb_code}-{self.number}"

    @property
    def is_downloaded(self) -> bool:
        return self.downloaded_at is not None

    def expires_within(self, days: int, at: dt.datetime | None = None) -> bool:
        at = at or timezone.now()
        return at < self.not_after <= at + dt.timedelta(days=days)

    @property
    def file_name(self) -> str:
        return f"ParaBench-{self.practice.agb_code}-{self.number}.pfx"


class CertificateEvent(models.Model):
    """Who issued, downloaded or blocked which certificate, when and from which address."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("uitgegeven")
        DOWNLOADED = "downloaded", _("gedownload")
        REQUESTED = "requested", _("aangevraagd (CSR)")
        RENEWED = "renewed", _("vernieuwd")
        BLOCKED = "blocked", _("geblokkeerd")

    certificate = models.ForeignKey(
        ClientCertificate,
        verbose_name=_("certificaat"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    action = models.CharField(_("actie"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("tijdstip"), default=timezone.now)
    user = acting_user(_("gebruiker"))
    # Kept as text as well: the log must still say who it was after the account is removed.
    username = models.CharField(_("gebruikersnaam"), max_length=150, blank=True)
    is_operator = models.BooleanField(_("door beheerder"), default=False)
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificaatgebeurtenis")
        verbose_name_plural = _("certificaatgebeurtenissen (auditlog)")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.certificate} door {self.username or '–'}"


class RequestCode(models.Model):
    """A one-time code the portal shows, with which the export client sends its CSR.

    Only a hash of the code is stored: the database alone is not enough to use it.
    """

    practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("praktijk"),
        on_delete=models.CASCADE,
        related_name="certificate_request_codes",
    )
    code_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)
    expires_at = models.DateTimeField(_("geldig tot"))
    created_by = acting_user(_("aangemaakt door"))
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    used_at = models.DateTimeField(_("gebruikt"), null=True, blank=True)
    certificate = models.OneToOneField(
        ClientCertificate,
        verbose_name=_("certificaat"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="request_code",
    )

    class Meta:
        verbose_name = _("aanvraagcode")
        verbose_name_plural = _("aanvraagcodes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.practice_id} {self.created_at:%Y-%m-%d %H:%M}"


class ExpiryNotice(models.Model):
    """One e-mail per certificate and threshold (60, 30, 7 days): sent once, even if run twice."""

    certificate = models.ForeignKey(
        ClientCertificate,
        verbose_name=_("certificaat"),
        on_delete=models.CASCADE,
        related_name="expiry_notices",
    )
    days_before = models.PositiveSmallIntegerField(_("dagen vooraf"))
    sent_at = models.DateTimeField(_("verstuurd"), default=timezone.now)
    recipients = models.TextField(_("ontvangers"), blank=True)

    class Meta:
        verbose_name = _("verloopbericht")
        verbose_name_plural = _("verloopberichten")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="expiry_notice_once"
            )
        ]

    def __str__(self):
        return f"{self.certificate} −{self.days_before}"


class VendorCertificate(IssuedCertificate):
    """A certificate of the acceptance CA for a software vendor: validation only, never statistics.

    Issued from the back office on the vendor's CSR; the key never reaches ParaBench.
    """

    vendor = models.CharField(_("leverancier"), max_length=64)
    email = models.EmailField(_("e-mailadres"), blank=True)

    class Meta:
        verbose_name = _("acceptatiecertificaat (leverancier)")
        verbose_name_plural = _("acceptatiecertificaten (leveranciers)")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.vendor} ({self.serial_hex[:8]})"

    @property
    def file_name(self) -> str:
        slug = "".join(c if c.isalnum() else "-" for c in self.vendor).strip("-") or "leverancier"
        return f"ParaBench-Acceptatie-{slug}-{self.pk}.pem"
