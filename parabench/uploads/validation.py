"""The export format's own validator, turned into the uploader's refusals.

``parabench_format.validate_export`` finds every problem with its JSON path; this module only
decides which refusal code the client gets, and adds the one rule the format cannot know by
itself: "today" is the day the upload arrived, not the day the export claims it was made.
"""

import functools
import typing
from datetime import date

from pydantic import BaseModel

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


def quickly_validated_export(raw: bytes, *, today: date) -> Export | None:
    """The export of ``raw`` when it has nothing to refuse, validated straight from its bytes;
    None when the full sequence of ``documents.parsed_document`` and ``validated_export`` must
    decide (and name the refusal, in its order).

    Why: the full sequence parses every upload twice, once into Python objects (0.85 ms for an
    80 KB export, with the duplicate-key check) for the shape check (0.42 ms) and once more in
    pydantic's validation (1.1 ms); a valid export needs only the last. What the first parse
    adds for a valid one is the certainty that no key occurs twice in an object (pydantic keeps
    one of them silently). That is counted here instead: in JSON text without a backslash, every
    ``"`` opens or closes a string, so the quotes are twice the keys and the string values of
    the text. The model knows the keys it was given (``model_fields_set``, a repeated key once)
    and its string values (texts, dates, moments: strict mode takes them only from strings); a
    repeated key, and anything in the value it hid, only add quotes. Equal counts: no key
    twice. Depth and the number of values need no walk then: the text is the model's own tree
    (at most 7 deep), and its values are counted on the bytes first, as always.
    """
    if b"\\" in raw:
        return None  # an escape (\u0022 …) could hide a quote or make one: the full sequence
    report = validate_export(raw)
    export = report.export
    if export is None or report.problems:
        return None
    if period_problems(export.period.begin, export.period.end, today):
        return None
    if raw.count(b'"') != 2 * _keys_and_strings(export):
        return None
    return export


def _keys_and_strings(model: BaseModel) -> int:
    """The keys and the string values of the JSON object ``model`` was validated from."""
    fixed = _fixed_count(type(model))
    if fixed is not None:
        return fixed
    given, values = model.__pydantic_fields_set__, vars(model)  # model_fields_set's own set
    count = len(given)
    for name in given:
        count += _strings(values[name])
    return count


def _strings(value) -> int:
    if isinstance(value, BaseModel):
        return _keys_and_strings(value)
    if isinstance(value, list):
        return sum(_strings(item) for item in value)
    return 1 if isinstance(value, str | date) else 0  # a datetime is a date too


@functools.cache
def _fixed_count(model: type[BaseModel]) -> int | None:
    """The keys and string values of every valid instance of ``model``, when its fields say so:
    each required (so given: strict mode, no defaults) and each a number, a text, a date, a list
    of numbers or such a model again; None when they vary (an optional part, a list of objects).

    Why: most of an export are such parts (breakdowns, the case-mix cells: 646 objects an export),
    and visiting each cost 0.5 ms per upload; the fields' types answer once per process.
    """
    count = 0
    for info in model.model_fields.values():
        inner = _type_count(info.annotation)
        if not info.is_required() or inner is None:
            return None
        count += 1 + inner
    return count


def _type_count(annotation) -> int | None:
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_count(arguments[0])
    if origin is typing.Literal:
        return 1 if all(isinstance(a, str) for a in arguments) else None
    if origin is list:
        return 0 if _type_count(arguments[0]) == 0 and _is_number(arguments[0]) else None
    if not isinstance(annotation, type):
        return None
    if issubclass(annotation, BaseModel):
        return _fixed_count(annotation)
    if annotation in (int, bool):
        return 0
    return 1 if issubclass(annotation, str | date) else None


def _is_number(annotation) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_number(typing.get_args(annotation)[0])
    return annotation in (int, bool)
