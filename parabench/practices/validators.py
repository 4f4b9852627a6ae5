import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

AGB_RE = re.compile(r"^\d{8}$")
POSTCODE_RE = re.compile(r"^[1-9]\d{3} ?[A-Z]{2}$")


def validate_agb_code(value: str) -> None:
    if not AGB_RE.match(value or ""):
        raise ValidationError(
            _("Een AGB-code bestaat uit precies 8 cijfers, bijvoorbeeld 04123451."),
            code="invalid_agb",
        )


def normalise_postcode(value: str) -> str:
    """`2741ga` and `2741 GA` are the same postcode; store the written form `2741 GA`."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) == 6:
        return f"{compact[:4]} {compact[4:]}"
    return (value or "").strip().upper()


def validate_postcode(value: str) -> None:
    if not POSTCODE_RE.match(normalise_postcode(value)):
        raise ValidationError(
            _("Een postcode bestaat uit 4 cijfers en 2 letters, bijvoorbeeld 2741 GA."),
            code="invalid_postcode",
        )
