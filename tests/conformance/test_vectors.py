"""The conformance kit: committed vectors are what the generator writes, each gives exactly its
codes, and the JSON Schema alone refuses exactly the vectors whose problems are about shape."""

import importlib.util
import json
from pathlib import Path

import jsonschema_rs
import pytest

from parabench_format.schema import SCHEMA_PATH

KIT = Path(__file__).resolve().parents[2] / "conformance"
MANIFEST = json.loads((KIT / "vectors.json").read_text(encoding="utf-8"))
# Problems the schema can express (types, bounds, patterns, enums); all others are the
# validator's consistency rules, which no JSON Schema states.
SHAPE_CODES = {
    "software_unknown",
    "software_version_invalid",
    "exported_at_format",
    "year_out_of_range",
    "literal_error",
    "extra_forbidden",
    "string_pattern_mismatch",
    "string_type",
    "greater_than_equal",
    "int_type",
    "less_than_equal",
    "missing",
    "bool_type",
    "too_short",
}


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, KIT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_vectors_are_what_the_generator_writes():
    generated = _module("make_vectors").generated()
    assert {p.relative_to(KIT) for p in generated} == {
        p.relative_to(KIT) for p in KIT.rglob("*.json")
    }
    for path, body in generated.items():
        assert path.read_bytes() == body, path


def test_there_are_valid_vectors_and_at_least_thirty_invalid_ones():
    assert len(MANIFEST["valid"]) >= 2
    assert len(MANIFEST["invalid"]) >= 30
    assert all(vector["codes"] and vector["breaks"] for vector in MANIFEST["invalid"])


def test_every_vector_gives_exactly_its_codes(capsys):
    assert _module("run").run() == []
    assert f"{len(MANIFEST['valid']) + len(MANIFEST['invalid'])} van" in capsys.readouterr().out


@pytest.mark.parametrize("vector", MANIFEST["invalid"], ids=lambda v: v["file"])
def test_the_schema_alone_refuses_shape_problems_and_misses_consistency_ones(vector):
    schema = jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    try:
        document = json.loads((KIT / vector["file"]).read_bytes())
    except ValueError:
        return  # not JSON at all
    shape_only = set(vector["codes"]) <= SHAPE_CODES
    assert schema.is_valid(document) is not shape_only, vector["codes"]


def test_the_valid_vectors_pass_the_schema():
    schema = jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    for vector in MANIFEST["valid"]:
        assert schema.is_valid(json.loads((KIT / vector["file"]).read_bytes()))
