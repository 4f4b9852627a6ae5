"""The export format parabench-mi/1: models, validator, period rule, code lists, JSON Schema.

Imports no Django: the export client and the portal share exactly this package.
"""

from parabench_format.histograms import histogram_median, histogram_quantile
from parabench_format.models import FORMAT, Export
from parabench_format.periods import (
    FutureYear,
    NoSessions,
    NothingToExport,
    PeriodError,
    YearOutOfRange,
    allowed_period,
    last_complete_quarter_end,
    period_problems,
    windows_for_period,
)
from parabench_format.schema import json_schema
from parabench_format.serialize import export_json
from parabench_format.validate import Problem, ValidationReport, validate_export

__all__ = [
    "FORMAT",
    "Export",
    "FutureYear",
    "NoSessions",
    "NothingToExport",
    "PeriodError",
    "Problem",
    "ValidationReport",
    "YearOutOfRange",
    "allowed_period",
    "export_json",
    "histogram_median",
    "histogram_quantile",
    "json_schema",
    "last_complete_quarter_end",
    "period_problems",
    "validate_export",
    "windows_for_period",
]
