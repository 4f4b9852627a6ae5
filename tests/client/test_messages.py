"""Every message of the client has an English twin, and docs/export-client.md lists each one with
the exit code it ends in — the same code the command line really returns."""

import re
from pathlib import Path

from parabench_client import cli
from parabench_client.messages import EXIT_CODES, MESSAGES, messages_table

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "export-client.md"
BEGIN, END = "<!-- messages:begin -->\n", "<!-- messages:end -->"


def test_every_message_has_dutch_and_english_with_the_same_placeholders():
    for key, (dutch, english) in MESSAGES.items():
        assert dutch and english, key
        assert set(re.findall(r"{(\w+)}", dutch)) == set(re.findall(r"{(\w+)}", english)), key


def test_each_failure_in_the_command_line_has_the_documented_exit_code():
    source = (ROOT / "parabench_client" / "cli.py").read_text(encoding="utf-8")
    found = re.findall(r"Failure\(\s*(EXIT_\w+),\s*t\(\s*\"([\w.]+)\"", source)
    assert len(found) >= 15
    for constant, key in found:
        assert EXIT_CODES[key] == getattr(cli, constant), key
    assert set(EXIT_CODES) <= set(MESSAGES)


def test_the_docs_list_every_message_with_its_exit_code():
    text = DOC.read_text(encoding="utf-8")
    listed = text[text.index(BEGIN) + len(BEGIN) : text.index(END)]
    assert listed == messages_table(), "regenerate: python -m parabench_client.messages"
