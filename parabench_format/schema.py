"""The JSON Schema of parabench-mi/1, generated from the models and shipped with the package.

Why shipped: practice-software suppliers and the portal's OpenAPI description can use the schema
without Python; a test keeps the shipped file equal to what the models generate.
Regenerate with `.venv/bin/python -m parabench_format` (add `--check` to only compare).
"""

import json
from pathlib import Path

from parabench_format.models import FORMAT, Export

SCHEMA_PATH = Path(__file__).parent / "schema" / "parabench-mi-1.schema.json"
SCHEMA_ID = "https://parabench.nl/schemas/parabench-mi-1.schema.json"


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of an export document."""
    schema = Export.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "description": f"Export format {FORMAT}: management information of one practice, "
        "one calendar year. See docs/export-format.md.",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(schema_text(), encoding="utf-8")
    return path
