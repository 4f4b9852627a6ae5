"""The shipped JSON Schema is what the models generate, and the shipped example fits both."""

import json

import jsonschema_rs

from parabench_format import json_schema, validate_export
from parabench_format.__main__ import main
from parabench_format.schema import SCHEMA_PATH, schema_text
from tests.format.conftest import EXAMPLE, EXAMPLE_1_0


def test_the_shipped_schema_equals_the_generated_one():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
    assert main(["--check"]) == 0


def test_the_schema_names_the_format_and_refuses_unknown_fields():
    schema = json_schema()
    assert schema["properties"]["format"]["enum"] == ["parabench-mi/1", "parabench-mi/1.1"]
    assert schema["additionalProperties"] is False
    assert all(d.get("additionalProperties") is False for d in schema["$defs"].values())


def test_the_example_validates_with_the_validator_and_the_shipped_schema():
    raw = EXAMPLE.read_bytes()
    assert validate_export(raw).problems == []
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert validator.is_valid(json.loads(raw))


def test_the_shipped_schema_refuses_what_the_models_refuse(document):
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    document["windows"][0]["patients"]["name"] = "Jan Jansen"
    assert not validator.is_valid(document)


def test_the_shipped_schema_wants_the_parts_of_1_1_in_1_1_only(document):
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    old = json.loads(EXAMPLE_1_0.read_bytes())
    assert validator.is_valid(old)
    assert not validator.is_valid({**old, "format": "parabench-mi/1.1"})  # without case mix
    assert not validator.is_valid({**document, "format": "parabench-mi/1"})  # with it
    document["windows"][3]["case_mix"] = None
    assert not validator.is_valid(document)
