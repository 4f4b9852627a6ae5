from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


def oldest_first(prefix: str = "") -> tuple:
    """The order of a practice's exports by which one counts: the last one counts.

    The one rule (docs/statistics.md, "Which export counts"): per practice, year and window, the
    successfully imported export with the **newest export moment** that covers the window; equal
    moments (or none recorded) by import number. Not the upload order: an old file sent again
    later must not push aside what the practice exported since. ``prefix`` reaches the import
    through a relation (``"imp__"``).
    """
    return (F(f"{prefix}exported_at").asc(nulls_first=True), F(f"{prefix}id").asc())


class Import(models.Model):
    """One accepted upload of one export, from intake to import. Its id is the "Import#".

    The row is committed, with the raw body already fsynced to storage, before the uploader answers
    202; the background import then fills ``imported_at`` and moves ``status`` on.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("ontvangen")
        IMPORTING = "importing", _("wordt ingelezen")
        IMPORTED = "imported", _("ingelezen")
        REJECTED = "rejected", _("afgekeurd")

    practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("praktijk"),
        on_delete=models.PROTECT,
        related_name="imports",
    )
    # Which certificate sent it (SHA-256 fingerprint, hex); kept when the certificate is blocked.
    certificate_fingerprint = models.CharField(_("certificaat (vingerafdruk)"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    uploaded_at = models.DateTimeField(_("upload"), db_index=True)
    imported_at = models.DateTimeField(_("import"), null=True, blank=True)
    # Idempotency: the same bytes from the same practice are the same upload.
    content_sha256 = models.CharField(_("SHA-256 van de inhoud"), max_length=64)
    body_path = models.CharField(_("opslagpad"), max_length=255)
    body_size = models.PositiveIntegerField(_("grootte (bytes)"))
    format_version = models.CharField(_("formaat"), max_length=20)
    year = models.PositiveSmallIntegerField(_("jaar"))
    period_begin = models.DateField(_("begindatum"))
    period_end = models.DateField(_("einddatum"))
    year_closed = models.BooleanField(_("jaar afgesloten"), default=False)
    exported_at = models.DateTimeField(_("exportmoment"), null=True, blank=True)
    # The imported export of this practice and year that counts for every window it covers (the
    # last by ``oldest_first``); older ones stay visible and count only for windows it lacks.
    is_current = models.BooleanField(_("telt mee"), default=False)
    warnings = models.JSONField(_("waarschuwingen"), default=list, blank=True)
    # What a later export of the same year is compared with (``plausibility.window_sessions``):
    # each window's first day, last day and sessions, written at import. Kept here so that the
    # comparison does not read and parse this export's body again (a fifth of parsing a new one,
    # for three uploads in four). NULL: not known (not imported, or its body was unreadable when
    # the column was added): the comparison then reads the body.
    window_sessions = models.JSONField(_("zittingen per venster"), null=True, blank=True)
    errors = models.JSONField(_("redenen van afkeuring"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "content_sha256"], name="import_unique_content_per_practice"
            ),
        ]
        indexes = [models.Index(fields=["practice", "year", "status"])]

    def __str__(self):
        return f"Import {self.pk} ({self.practice_id}, {self.year})"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def sessions_dropped(self) -> bool:
        """Marked in the Dashboards list: far fewer sessions than the export it replaced."""
        return any(warning.get("code") == "sessions_dropped" for warning in self.warnings)
