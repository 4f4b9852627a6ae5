"""A valid export document to break in tests: the shipped example (golden records, year 2025,
format 1.1; EXAMPLE_1_0 is the same export in format 1.0)."""

import copy
import json
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[2] / "docs" / "example-export.json"
EXAMPLE_1_0 = Path(__file__).parents[2] / "docs" / "example-export-1.0.json"
_DOCUMENT = json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def document() -> dict:
    """A fresh deep copy, so each test may change it freely."""
    return copy.deepcopy(_DOCUMENT)
