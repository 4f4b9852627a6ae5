"""Every benchmark of the project in one run; writes docs/benchmarks.md.

Each benchmark runs as its own process (``python -m bench.bench_<name>``) and writes its detailed
figures to ``docs/benchmarks-<name>.md``; this script then gathers them into one page. Targets are
measured here, never asserted in tests. ``--only export,uploads`` runs a subset.
"""

import argparse
import datetime as dt
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BENCHES = [
    ("export", "Export client: one year of a large practice, and one demo practice"),
    ("uploads", "Uploader: sustained mTLS uploads and imports per second"),
    ("intake", "Uploader under hostile bodies at its limits: memory, answers, availability"),
    ("statistics", "Benchmark engine: full and incremental recompute against numpy"),
    ("import", "Import worker: one import against a bare parse and schema validation"),
    ("dashboard", "Dashboard: page server time against a minimal view"),
    ("pages", "Pages in the browser: Lighthouse scores and bytes, before and after issue 21"),
]


def machine() -> str:
    cores = len(__import__("os").sched_getaffinity(0))
    return f"{platform.platform()}, Python {platform.python_version()}, {cores} cores"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated subset, e.g. export,uploads")
    parser.add_argument(
        "--collect", action="store_true", help="run nothing; gather the reports already written"
    )
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHES if not args.only or b[0] in args.only.split(",")]
    if args.collect:
        chosen = []
    outcomes = []
    for name, title in chosen:
        print(f"=== {name}: {title}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", f"bench.bench_{name}"], cwd=ROOT)
        outcomes.append((name, title, result.returncode, time.monotonic() - started))
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m bench.run_all`) on {dt.date.today().isoformat()}, "
        f"{machine()}. Each section below is the benchmark's own report; the targets come from "
        "the issues.",
        "",
        "| benchmark | what | exit | wall time |",
        "|---|---|---|---|",
    ]
    if not outcomes:
        lines[2] = (
            f"Gathered by `python -m bench.run_all --collect` on {dt.date.today().isoformat()} "
            "from the reports each benchmark wrote when it last ran (see their dates and machine "
            "load); `make bench` runs them all again."
        )
        lines += [f"| [{n}](benchmarks-{n}.md) | {t} | – | – |" for n, t in BENCHES]
    for name, title, code, seconds in outcomes:
        lines.append(f"| [{name}](benchmarks-{name}.md) | {title} | {code} | {seconds:.0f} s |")
    for name, _title in BENCHES:
        detail = DOCS / f"benchmarks-{name}.md"
        if detail.exists():
            # One heading level down, so each report is a section of this page.
            body = [
                f"#{line}" if line.startswith("#") else line
                for line in detail.read_text().splitlines()
            ]
            lines += ["", *body]
    (DOCS / "benchmarks.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {DOCS / 'benchmarks.md'}")
    return max((code for _name, _title, code, _seconds in outcomes), default=0)


if __name__ == "__main__":
    sys.exit(main())
