"""Writing an export as JSON: compact for sending, readable (lists on one line) for people."""

import json
import re

from parabench_format.models import Export

_NUMBER_LIST = re.compile(r"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]")


def export_json(export: Export, pretty: bool = False) -> bytes:
    """The export as UTF-8 JSON; `pretty` indents objects but keeps lists of numbers on one line."""
    data = export.model_dump(mode="json")
    if not pretty:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    text = json.dumps(data, indent=2, ensure_ascii=False)
    text = _NUMBER_LIST.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m[1])) + "]", text)
    return (text + "\n").encode()
