"""The Verzekeraars tab's table: per insurer concern the practice's patients, episodes per patient
and revenue per patient beside the group's published median, with the verdict rules of every
other figure (verdicts.py). Shared by the dashboard, the report and the downloads.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from parabench.benchmark import catalogue
from parabench.benchmark.uncertainty import MODELS
from parabench.dashboard import formatting, presentation, verdicts


@dataclass
class InsurerRow:
    key: str
    label: str
    cells: list[str]  # per measure: the practice's value, the group's median (, the verdict)


COLUMN_WORDS = (
    gettext_lazy("uw praktijk"),
    gettext_lazy("mediaan groep"),
    gettext_lazy("oordeel"),
)


def judged(measure) -> bool:
    """Whether a measure can have a verdict: a size (patients) never has one."""
    return catalogue.insurer_column(catalogue.INSURER_CONCERNS[0].key, measure.code) in MODELS


def head(measures) -> list[str]:
    cells = [str(gettext_lazy("Verzekeraar"))]
    for measure in measures:
        words = COLUMN_WORDS if judged(measure) else COLUMN_WORDS[:2]
        cells += [f"{measure.name}: {word}" for word in words]
    return cells


def rows(insurers, too_small: bool) -> list[InsurerRow]:
    """One row per concern the practice or its group has patients of."""
    found = []
    for insurer in insurers:
        patients = insurer.figures[0]
        group_has = (
            not too_small and patients.stats is not None and (patients.stats.median or 0) > 0
        )
        if not (patients.value or group_has):
            continue
        cells = []
        for figure in insurer.figures:
            show = presentation.value_format(figure.number_format)
            stats = None if too_small else figure.stats
            cells.append(show(figure.value))
            cells.append(formatting.DASH if stats is None else show(stats.median))
            if figure.code in MODELS:
                cells.append(verdicts.verdict_text(figure, too_small)[1] or formatting.DASH)
        found.append(InsurerRow(insurer.key, str(insurer.label), cells))
    return found
