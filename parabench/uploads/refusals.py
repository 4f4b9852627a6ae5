"""Every way the uploader says no: HTTP status, stable code, Dutch message, English message.

One table, so the protocol document, the OpenAPI description and the answers cannot drift apart.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# code: (HTTP status, Dutch message for people, English message)
REFUSALS = {
    "certificate_required": (
        401,
        _("Er is geen clientcertificaat meegestuurd. Stel het ParaBench-certificaat in."),
        "No client certificate was presented. Configure the ParaBench certificate.",
    ),
    "certificate_unknown": (
        403,
        _("Dit certificaat is niet door ParaBench uitgegeven."),
        "This certificate was not issued by ParaBench.",
    ),
    "certificate_foreign_issuer": (
        403,
        _("Dit certificaat is door een andere uitgever dan ParaBench uitgegeven."),
        "This certificate was issued by a CA other than ParaBench.",
    ),
    "certificate_blocked": (
        403,
        _("Dit certificaat is geblokkeerd. Geef in het portaal een nieuw certificaat uit."),
        "This certificate is blocked. Issue a new certificate in the portal.",
    ),
    "certificate_expired": (
        403,
        _("Dit certificaat is verlopen. Geef in het portaal een nieuw certificaat uit."),
        "This certificate has expired. Issue a new certificate in the portal.",
    ),
    "certificate_not_yet_valid": (
        403,
        _("Dit certificaat is nog niet geldig."),
        "This certificate is not valid yet.",
    ),
    "certificate_invalid": (
        403,
        _("Dit certificaat kan niet worden gecontroleerd."),
        "This certificate cannot be verified.",
    ),
    "certificate_acceptance_only": (
        403,
        _(
            "Dit is een acceptatiecertificaat (test): het wordt alleen door de validatiedienst "
            "geaccepteerd, nooit voor echte uploads."
        ),
        "This is an acceptance (test) certificate: only the validation endpoints accept it, "
        "never real uploads.",
    ),
    "practice_mismatch": (
        403,
        _("De AGB-code in de export hoort niet bij de praktijk van dit certificaat."),
        "The AGB code in the export does not belong to this certificate's practice.",
    ),
    "not_found": (
        404,
        _("Niet gevonden."),
        "Not found.",
    ),
    "method_not_allowed": (
        405,
        _("Deze HTTP-methode is hier niet toegestaan."),
        "This HTTP method is not allowed here.",
    ),
    "body_too_large": (
        413,
        _("De export is te groot."),
        "The export is too large.",
    ),
    "unsupported_media_type": (
        415,
        _("Stuur de export als application/json, eventueel met Content-Encoding: gzip."),
        "Send the export as application/json, optionally with Content-Encoding: gzip.",
    ),
    "not_json": (
        422,
        _("De inhoud is geen leesbare JSON (of geen geldige gzip)."),
        "The body is not readable JSON (or not valid gzip).",
    ),
    "json_duplicate_key": (
        422,
        _("Een sleutel komt twee keer voor in hetzelfde JSON-object."),
        "A key occurs twice in the same JSON object.",
    ),
    "export_too_complex": (
        422,
        _("De export bevat veel meer (of dieper geneste) gegevens dan een export kan hebben."),
        "The export holds far more (or more deeply nested) data than an export can.",
    ),
    "exported_at_future": (
        422,
        _(
            "Het exportmoment ligt na het moment van ontvangst. Controleer de datum, tijd en "
            "tijdzone van de computer die de export maakte."
        ),
        "The export time is later than the time it was received. Check the date, time and time "
        "zone of the computer that made the export.",
    ),
    "format_unsupported": (
        422,
        _(
            "Dit exportformaat wordt niet ondersteund; verwacht is parabench-mi/1 of "
            "parabench-mi/1.1."
        ),
        "This export format is not supported; expected parabench-mi/1 or parabench-mi/1.1.",
    ),
    "schema_invalid": (
        422,
        _("De export voldoet niet aan het formaat."),
        "The export does not match the format.",
    ),
    "period_invalid": (
        422,
        _(
            "De periode moet (een deel van) één kalenderjaar vanaf 1 januari zijn en mag niet "
            "verder lopen dan het laatste volledige kwartaal."
        ),
        "The period must be (part of) one calendar year from 1 January and may not reach past "
        "the last complete quarter.",
    ),
    "internal_error": (
        500,
        _("Er ging bij ParaBench iets mis. Probeer het later opnieuw; blijft het, meld het dan."),
        "Something went wrong at ParaBench. Try again later; if it persists, report it.",
    ),
    "unavailable": (
        503,
        _("De uploaddienst is tijdelijk niet beschikbaar. Probeer het later opnieuw."),
        "The upload service is temporarily unavailable. Try again later.",
    ),
}


@dataclass
class Refusal(Exception):
    """Raised anywhere in the intake; the service turns it into the JSON answer."""

    code: str
    problems: list[dict] = field(default_factory=list)
    detail: str = ""

    @property
    def status(self) -> int:
        return REFUSALS[self.code][0]

    def as_json(self) -> dict:
        _status, message, message_en = REFUSALS[self.code]
        error = {"code": self.code, "message": str(message), "message_en": message_en}
        if self.problems:
            error["problems"] = self.problems
        if self.detail:
            error["detail"] = self.detail
        return {"error": error}
