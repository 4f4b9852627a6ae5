"""Run the conformance vectors through the ParaBench validator and say whether each gives exactly
the problem codes it must (valid ones: none).

    python conformance/run.py                 the validator of this repository (offline)
    python conformance/run.py --client CMD    any command that validates a file, e.g.
                                              "parabench-client validate" (exit 0 = valid, and
                                              the codes in [brackets] on its output)

Exit 0 when every vector passes, 1 otherwise. See docs/vendor-guide.md.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODE = re.compile(r"\[([a-z][a-z_0-9]*)\]")


def codes_offline(path: Path) -> set[str]:
    sys.path.insert(0, str(HERE.parent))
    from parabench_format import validate_export

    return {problem.code for problem in validate_export(path.read_bytes()).problems}


def codes_by_command(command: str, path: Path) -> set[str]:
    result = subprocess.run(
        [*shlex.split(command), str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode == 0:
        return set()
    return set(CODE.findall(result.stdout + result.stderr)) or {f"exit_{result.returncode}"}


def run(command: str | None = None) -> list[str]:
    """The failures, one line each; empty when every vector passes."""
    manifest = json.loads((HERE / "vectors.json").read_text(encoding="utf-8"))
    failures = []
    cases = [(v["file"], set()) for v in manifest["valid"]]
    cases += [(v["file"], set(v["codes"])) for v in manifest["invalid"]]
    for name, expected in cases:
        path = HERE / name
        got = codes_by_command(command, path) if command else codes_offline(path)
        status = "ok  " if got == expected else "FOUT"
        wanted, found = sorted(expected) or "geldig", sorted(got) or "geldig"
        print(f"{status} {name}: verwacht {wanted}, kreeg {found}")
        if got != expected:
            failures.append(name)
    print(f"{len(cases) - len(failures)} van {len(cases)} vectoren goed.")
    return failures


def main(argv: list[str]) -> int:
    command = argv[argv.index("--client") + 1] if "--client" in argv else None
    return 1 if run(command) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
