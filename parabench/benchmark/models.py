"""What the benchmark engine stores: KPI values per import and window, group statistics.

Sized for 10,000 practices × 10 years. Per row the numbers are one packed vector (little-endian
float64) rather than one row per KPI: a window of a practice is always read and written as a
whole, and one row per KPI would make ~70 million rows of which every recompute touches all.
Every packed vector names its numbers through a ``Layout`` (``layout.py``): values are found by
KPI code, never by position. Statistics are per (year, window, group): tens of thousands of
rows. See docs/statistics.md.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GroupKind(models.TextChoices):
    NATIONAL = "national", _("Landelijk")
    REGION = "region", _("Regio")
    NETWORK = "network", _("Netwerk")
    NO_NETWORK = "no_network", _("Praktijken zonder netwerk")
    # Peer groups by kind (docs/privacy.md, "Peer groups by kind"): nationally by size class,
    # within the province by size class, nationally by declared profile.
    SIZE = "size", _("Landelijk, zelfde grootte")
    REGION_SIZE = "region_size", _("Regio, zelfde grootte")
    PROFILE = "profile", _("Landelijk, zelfde profiel")


class Layout(models.Model):
    """An ordered tuple of names (KPI codes, mix columns, statistic names) that a packed vector's
    numbers belong to, in that order. The id is derived from the names (``layout.layout_id``), so
    a layout is never changed, only added: a version of the storage."""

    id = models.BigIntegerField(primary_key=True)
    names = models.JSONField(_("namen"))
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    class Meta:
        verbose_name = _("opslagindeling")
        verbose_name_plural = _("opslagindelingen")

    def __str__(self):
        return f"{self.id} ({len(self.names)})"


def _layout(name, **kwargs):
    return models.ForeignKey(
        Layout, verbose_name=name, on_delete=models.PROTECT, related_name="+", **kwargs
    )


class WindowValues(models.Model):
    """A practice's KPI values for one window of one import.

    ``counted`` marks the one row per practice, year and window that the group statistics use:
    the newest imported export that covers that window. Older imports keep their rows so that
    their dashboards stay readable.
    """

    # No index of their own on the foreign keys of this table (migration benchmark 0013): the
    # unique (imp, window) and the (practice, year) index serve every lookup by import or
    # practice, and nothing looks rows up by layout (layouts are never deleted). Each of those
    # five indexes cost a write per row stored and per flag or growth figure changed.
    imp = models.ForeignKey(
        "uploads.Import",
        verbose_name=_("import"),
        on_delete=models.CASCADE,
        related_name="benchmark_windows",
        db_index=False,
    )
    practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("praktijk"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    window = models.CharField(_("periode"), max_length=5)
    values = models.BinaryField(_("KPI-waarden"))
    layout = _layout(_("indeling KPI-waarden"), db_index=False)
    # The growth KPIs against the practice's counted row of the same window one year earlier:
    # kept here so that recomputing a year never has to read the year before (see recompute.py).
    # NULL until a recompute handled the row: how the statistics refresh finds the practices
    # that sent something (``recompute.recompute_changed``).
    growth = models.BinaryField(_("groei"), null=True)
    growth_layout = _layout(_("indeling groei"), null=True, db_index=False)
    counted = models.BooleanField(_("telt mee"), default=False)
    # Format 1.1: the window's closed episodes in the 48 case-mix cells (``casemix.cell_names``,
    # named by ``cells_layout``); NULL for a 1.0 export. Never shown: they serve only the
    # national reference rates and the practice's own case-mix index (docs/statistics.md §9).
    # Stored as uint32 whole counts, or as float64 for a row with any other number (and rows
    # stored before): the length says which (``casemix.pack_cells``, ``layout.encoding``).
    cells = models.BinaryField(_("casemixcellen"), null=True)
    cells_layout = _layout(_("indeling casemixcellen"), null=True, db_index=False)

    class Meta:
        verbose_name = _("KPI-waarden van een periode")
        verbose_name_plural = _("KPI-waarden van perioden")
        constraints = [
            models.UniqueConstraint(fields=["imp", "window"], name="benchmark_window_per_import"),
        ]
        indexes = [
            models.Index(fields=["year", "window", "counted"], name="benchmark_wv_year_window"),
            models.Index(fields=["practice", "year"], name="benchmark_wv_practice_year"),
            # The rows no recompute has handled yet: a handful at any time.
            models.Index(
                fields=["year"],
                condition=models.Q(growth__isnull=True),
                name="benchmark_wv_not_recomputed",
            ),
        ]

    def __str__(self):
        return f"{self.imp_id} {self.year} {self.window}"


class GroupStatistics(models.Model):
    """The published statistics of every KPI for one group, year and window, and its τ².

    ``stats`` is a packed (``stats.STAT_FIELDS`` × columns) float64 matrix — n and the quantiles
    the disclosure rules allow, rounded as published (``disclosure.py``), and the funnel's τ²
    (``uncertainty.py``); no mean. It is empty
    when the group had fewer practices than MIN_GROUP_SIZE at computation time, and an entry is
    NaN when withheld — what is not computed cannot be served.
    """

    year = models.PositiveSmallIntegerField(_("jaar"))
    window = models.CharField(_("periode"), max_length=5)
    kind = models.CharField(_("soort groep"), max_length=16, choices=GroupKind.choices)
    key = models.CharField(_("groep"), max_length=20, blank=True)
    n = models.PositiveIntegerField(_("aantal praktijken"))
    stats = models.BinaryField(_("statistieken"), null=True)
    statistics = _layout(_("indeling statistieken"), null=True)
    columns = _layout(_("indeling KPI's"), null=True)
    computed_at = models.DateTimeField(_("berekend"))

    class Meta:
        verbose_name = _("groepsstatistiek")
        verbose_name_plural = _("groepsstatistieken")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "window", "kind", "key"], name="benchmark_stats_per_group"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.window} {self.kind} {self.key}"


class ReferenceRates(models.Model):
    """The national case-mix reference rates of one year and window (docs/statistics.md §9).

    ``rates`` is a packed float64 vector named by ``layout`` (``casemix.rate_names``): per measure
    (sessions, duration) and cell the published rate — rounded after a keyed dither, NaN where no
    stratum passes the disclosure rules — and per measure the τ² of the indices around 1
    (the funnel's over-dispersion). ``n``: the practices whose counted row carries cells. Written
    by every statistics refresh of the year (the rates are national: every 1.1 import moves them).
    """

    year = models.PositiveSmallIntegerField(_("jaar"))
    window = models.CharField(_("periode"), max_length=5)
    n = models.PositiveIntegerField(_("aantal praktijken met casemix"))
    rates = models.BinaryField(_("referentiewaarden"))
    layout = _layout(_("indeling referentiewaarden"))
    computed_at = models.DateTimeField(_("berekend"))

    class Meta:
        verbose_name = _("landelijke casemix-referentie")
        verbose_name_plural = _("landelijke casemix-referenties")
        constraints = [
            models.UniqueConstraint(fields=["year", "window"], name="benchmark_rates_per_window"),
        ]

    def __str__(self):
        return f"{self.year} {self.window}"
