"""The export format's own validator, turned into the uploader's refusals.

``parabench_format.validate_export`` finds every problem with its JSON path; this module only
decides which refusal code the client gets, and adds the one rule the format cannot know by
itself: "today" is the day the upload arrived, not the day the export claims it was made.
"""

from datetime import date

from parabench.uploads.refusals import Refusal
from parabench_format import Export, period_problems, validate_export
from parabench_format.models import FORMATS

# A refusal lists at most this many problems: a real export's mistakes fit easily, and an answer
# listing every one of thousands of unknown keys would be larger than the export itself.
MAX_PROBLEMS = 100


def _problem(path: str, code: str, message: str, message_en: str) -> dict:
    return {"path": path, "code": code, "message": message, "message_en": message_en}


def validated_export(document, *, today: date, raw: bytes | None = None) -> Export:
    """The export model of a parsed JSON ``document``, or a 422 refusal listing every problem.

    ``raw`` (the JSON bytes) is validated directly when given, which saves re-encoding a large
    document; ``document`` is still needed to answer "wrong format version" before anything else.
    """
    if isinstance(document, dict) and document.get("format") not in FORMATS:
        expected = " of ".join(FORMATS)
        raise Refusal(
            "format_unsupported",
            problems=[
                _problem(
                    "$.format",
                    "format_unsupported",
                    f"Verwacht formaat {expected}.",
                    f"Expected format {' or '.join(FORMATS)}.",
                )
            ],
        )
    report = validate_export(raw if raw is not None else document)
    problems = [p.to_dict() for p in report.problems]
    if report.export is not None:
        seen = {(p["path"], p["code"]) for p in problems}
        begin, end = report.export.period.begin, report.export.period.end
        for code, message, message_en in period_problems(begin, end, today):
            if ("$.period", code) not in seen:
                problems.append(_problem("$.period", code, message, message_en))
    if any(p["code"] == "json_invalid" for p in problems):
        raise Refusal("not_json")
    shown = problems[:MAX_PROBLEMS]
    detail = (
        f"{MAX_PROBLEMS} of {len(problems)} problems listed" if len(problems) > MAX_PROBLEMS else ""
    )
    # A period that is there but breaks the period rules; a missing or malformed one is a shape
    # error like any other (the model could not be built).
    if report.export is not None and any(p["path"] == "$.period" for p in problems):
        raise Refusal("period_invalid", problems=shown, detail=detail)
    if problems:
        raise Refusal("schema_invalid", problems=shown, detail=detail)
    return report.export
