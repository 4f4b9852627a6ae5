"""The period rule for the export client, re-exported from the format package.

Why a re-export: the uploader applies the same rule, so it lives once in parabench_format; the
client imports it from here to keep its own modules together.
"""

from parabench_format.periods import (
    FutureYear,
    NothingToExport,
    PeriodError,
    allowed_period,
    last_complete_quarter_end,
    quarter_end,
    trend_months,
    windows_for_period,
)

__all__ = [
    "FutureYear",
    "NothingToExport",
    "PeriodError",
    "allowed_period",
    "last_complete_quarter_end",
    "quarter_end",
    "trend_months",
    "windows_for_period",
]
