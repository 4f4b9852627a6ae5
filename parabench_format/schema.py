"""The JSON Schema of parabench-mi/1 and 1.1, generated from the models and shipped as a file.

Why shipped: practice-software suppliers and the portal's OpenAPI description can use the schema
without Python; a test keeps the shipped file equal to what the models generate.
Regenerate with `.venv/bin/python -m parabench_format` (add `--check` to only compare).
"""

import json
from pathlib import Path

from parabench_format import codes
from parabench_format.models import FIELDS_1_1, FORMAT, FORMAT_1_1, FORMATS, SOFTWARE_NAMES, Export

SCHEMA_PATH = Path(__file__).parent / "schema" / "parabench-mi-1.schema.json"
CODE_LISTS_PATH = Path(__file__).parent / "schema" / "parabench-mi-1.code-lists.json"
SCHEMA_ID = "https://parabench.nl/schemas/parabench-mi-1.schema.json"


def versioned(schema: dict, definitions: dict) -> dict:
    """The export ``schema`` made exact about the two versions (``definitions``: where its
    models live, ``$defs`` or an OpenAPI document's components), changed in place and returned.

    The models read both versions, so the parts of 1.1 are optional there (None); the schema says
    it exactly: never null, required in every window of a 1.1 export and absent from a 1.0 one.
    """
    window = definitions["Window"]
    for name in FIELDS_1_1:
        reference = window["properties"][name]["anyOf"][0]
        window["properties"][name] = reference | {"description": f"Only in {FORMAT_1_1}."}
    schema["allOf"] = [
        {
            "if": {"properties": {"format": {"const": FORMAT_1_1}}},
            "then": {"properties": {"windows": {"items": {"required": list(FIELDS_1_1)}}}},
            "else": {
                "properties": {
                    "windows": {
                        "items": {"not": {"anyOf": [{"required": [n]} for n in FIELDS_1_1]}}
                    }
                }
            },
        }
    ]
    return schema


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of an export document, 1.0 and 1.1."""
    schema = Export.model_json_schema(mode="validation")
    versioned(schema, schema["$defs"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "description": f"Export formats {' and '.join(FORMATS)}: management information of one "
        f"practice, one calendar year; {FORMAT_1_1} adds case-mix cells and outcome measures. "
        "See docs/export-format.md.",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def code_lists() -> dict:
    """The code lists of codes.py as data, for exporters written in other languages.

    Why beside the Python: a vendor's exporter maps its own codes (UZOVI, NZa performance codes,
    DCSPH) onto the export's categories exactly as the reference client does.
    """
    return {
        "format": FORMAT,
        "formats": list(FORMATS),
        "software_names": list(SOFTWARE_NAMES),
        "genders": {
            "categories": list(codes.GENDERS),
            "by_record_code": codes.GENDER_BY_RECORD_CODE,
        },
        "age_bands": [
            {"name": name, "from": low, "to": high} for name, low, high in codes.AGE_BANDS
        ],
        "access_routes": list(codes.ACCESS_ROUTES),
        "end_reasons": list(codes.END_REASONS),
        "dcsph_groups": {
            "categories": list(codes.DCSPH_GROUPS),
            "by_first_digit": codes.DCSPH_GROUP_BY_FIRST_DIGIT,
        },
        "payers": list(codes.PAYERS),
        "session_types": {
            "categories": list(codes.SESSION_TYPES),
            "by_performance_code": codes.SESSION_TYPE_BY_PERFORMANCE_CODE,
            "unlisted_four_digit_code": "other",
        },
        "insurers": {
            "categories": list(codes.INSURER_BUCKETS),
            "concern_by_uzovi": codes.CONCERN_BY_UZOVI,
            "unlisted_uzovi": "other",
            "no_insurer": "self_pay",
        },
        "case_mix": {
            "sides": list(codes.CASE_MIX_SIDES),
            "dcsph_groups": list(codes.DCSPH_GROUPS),
            "age_bands": [
                {"name": name, "from": low, "to": high}
                for name, low, high in codes.CASE_MIX_AGE_BANDS
            ],
        },
        "outcome_instruments": {
            "categories": list(codes.OUTCOME_INSTRUMENTS),
            "score_max_tenths": codes.OUTCOME_SCORE_MAX_TENTHS,
            "clinically_relevant_improvement": {
                "nprs": "first − last ≥ 20 tenths, or ≥ 30 % of the first score",
                "psk": "first − last ≥ 20 tenths",
            },
        },
        "histograms": {
            "sessions_bins": codes.SESSIONS_BINS,
            "weeks_bins": codes.WEEKS_BINS,
            "waiting_days_bins": codes.WAITING_DAYS_BINS,
        },
    }


def code_lists_text() -> str:
    return json.dumps(code_lists(), indent=2, ensure_ascii=False) + "\n"


def generated_files() -> dict[Path, str]:
    """Every file this package ships that is generated from its Python: path → text."""
    return {SCHEMA_PATH: schema_text(), CODE_LISTS_PATH: code_lists_text()}
