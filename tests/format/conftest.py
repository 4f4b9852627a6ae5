"""A valid export document to break in tests: the shipped example (golden records, year 2025)."""

import copy
import json
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[2] / "docs" / "example-export.json"
_DOCUMENT = json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def document() -> dict:
    """A fresh deep copy, so each test may change it freely."""
    return copy.deepcopy(_DOCUMENT)
