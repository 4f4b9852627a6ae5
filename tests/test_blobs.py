"""Byte strings and a header in one byte string (``parabench.blobs``), and back."""

import pytest

from parabench import blobs


def test_the_header_and_parts_come_back_as_they_went_in():
    parts = [b"", b"\x00\xff" * 300, "é".encode()]
    header = {"year": 2025, "names": ["Q1", None]}
    assert blobs.split(blobs.joined(header, parts)) == (header, parts)


@pytest.mark.parametrize(
    "damaged",
    [
        b"",
        b"\x05\x00\x00\x00{}",
        blobs.joined({}, [b"abc"])[:-1],
        blobs.joined({}, [b"abc"]) + b"x",
        b"\x02\x00\x00\x00{}",  # no "parts"
    ],
)
def test_anything_else_is_refused(damaged):
    with pytest.raises(ValueError):
        blobs.split(damaged)
