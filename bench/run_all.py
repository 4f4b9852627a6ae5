"""Every benchmark of the project in one run; writes docs/benchmarks.md.

Each benchmark runs as its own process (``python -m bench.bench_<name>``) and writes its detailed
figures to ``docs/benchmarks-<name>.md``; this script then gathers them into one page. Targets are
measured here, never asserted in tests. ``--only export,uploads`` runs a subset.
"""

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import machine_probe, probe_text

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BENCHES = [
    ("export", "Export client: one year of a large practice, and one demo practice"),
    ("uploads", "Uploader: sustained mTLS uploads and imports per second"),
    ("topology", "Production topology: a new mTLS connection per upload, workers importing"),
    ("intake", "Uploader under hostile bodies at its limits: memory, answers, availability"),
    ("statistics", "Benchmark engine: full and incremental recompute against numpy"),
    ("import", "Import worker: one import against a bare parse and schema validation"),
    ("dashboard", "Dashboard: page server time against a minimal view"),
    ("report", "Practice report: CPU and wall time of the PDF, step by step"),
    ("pages", "Pages in the browser: Lighthouse scores and bytes, before and after issue 21"),
]


def machine() -> str:
    cores = len(os.sched_getaffinity(0))
    return f"{platform.platform()}, Python {platform.python_version()}, {cores} cores"


BUDGET_SECONDS = 30 * 60  # issue 18: `make bench` stays under 30 minutes
VERDICT_HEADER = "| target | measured | verdict |"


def verdict_rows(name: str, text: str) -> list[str]:
    """The rows of every verdict table in a benchmark's report, with the benchmark's name."""
    rows, inside = [], False
    for line in text.splitlines():
        if line.startswith(VERDICT_HEADER):
            inside = True
            continue
        if inside and line.startswith("|---"):
            continue
        if inside and line.startswith("|"):
            target, measured, verdict = line.split("|")[1:4]  # a "before" column stays out
            rows.append(f"| [{name}](benchmarks-{name}.md) |{target}|{measured}|{verdict}|")
            continue
        inside = False
    return rows


TOOK = "`make bench` took"


@dataclass(frozen=True)
class Outcome:
    """One benchmark run by this script."""

    name: str
    title: str
    exit_code: int
    seconds: float
    load: float  # the 1-minute load average at its start
    probe: dict  # bench.common.machine_probe at its start


@dataclass(frozen=True)
class EarlierRun:
    day: str
    rows: dict[str, str]  # a benchmark's row of the table of runs, as written then
    took: str  # the full run's total time and verdict, or ""


def _earlier_run() -> "EarlierRun | None":
    """What the page written last says about the benchmarks ``--only`` leaves out, so that a
    partial run replaces its own rows and keeps the others' (with the day they ran)."""
    page = DOCS / "benchmarks.md"
    if not page.exists():
        return None
    text = page.read_text()
    written = re.search(r" on (\d{4}-\d{2}-\d{2})", text)
    full = re.search(r"The last full run \(([\d-]+)\)", text)
    day = full.group(1) if full else written.group(1) if written else "?"
    rows = {}
    for line in text.split("## Every verdict")[0].splitlines():
        if match := re.match(r"\| \[(\w+)\]\(benchmarks-\w+\.md\) \|", line):
            # A row that a partial run wrote already says its day; a row written before the
            # machine probe had its column gets a dash there.
            row = line if "(run of " in line else f"{line[:-2]} (run of {day}) |"
            rows[match.group(1)] = row if row.count("|") == 7 else f"{row} – |"
    took = re.search(re.escape(TOOK) + r".*", text)
    return EarlierRun(day, rows, took.group(0) if took else "")


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
        load, probe = os.getloadavg()[0], machine_probe()
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", f"bench.bench_{name}"], cwd=ROOT)
        seconds = time.monotonic() - started
        outcomes.append(Outcome(name, title, result.returncode, seconds, load, probe))
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m bench.run_all`) on {dt.date.today().isoformat()}, "
        f"{machine()}. Each section below is the benchmark's own report; the targets come from "
        "the issues.",
        "",
        "The machine is shared (2 cores, other work running): every report records its load "
        "average, and figures move with it. Earlier runs, and the notes written beside them: "
        "[benchmarks-history.md](benchmarks-history.md).",
        "",
        "| benchmark | what | exit | wall time | load average at start | machine probe at start |",
        "|---|---|---|---|---|---|",
    ]
    # A partial run (--only) or a gathering (--collect) keeps what the page said of the others.
    earlier = _earlier_run() if args.only or args.collect else None
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    ran = {outcome.name: outcome for outcome in outcomes}
    for name, title in BENCHES:
        if outcome := ran.get(name):
            when = f" (run of {now})" if earlier else ""
            lines.append(
                f"| [{name}](benchmarks-{name}.md) | {title} | {outcome.exit_code} | "
                f"{outcome.seconds:.0f} s | {outcome.load:.1f}{when} | "
                f"{probe_text(outcome.probe)} |"
            )
        elif earlier:
            default = f"| [{name}](benchmarks-{name}.md) | {title} | – | – | – | – |"
            lines.append(earlier.rows.get(name, default))
    if outcomes and not earlier:
        total = sum(outcome.seconds for outcome in outcomes)
        met = "met" if total < BUDGET_SECONDS else "NOT MET"
        lines += ["", f"{TOOK} {total / 60:.0f} min (target < 30 min): **{met}**."]
    if earlier:
        what = (
            f"`python -m bench.run_all --only {args.only}`, which ran those benchmarks again"
            if outcomes
            else "`python -m bench.run_all --collect`, which ran none"
        )
        lines[2] = (
            f"Written by {what}, on {dt.date.today().isoformat()}, {machine()}: each row of the "
            "table of runs names the run its report is from. Each section below is the "
            "benchmark's own report; the targets come from the issues."
        )
        if earlier.took:
            lines += ["", f"The last full run ({earlier.day}): {earlier.took}"]
    verdicts = [
        row
        for name, _title in BENCHES
        if (DOCS / f"benchmarks-{name}.md").exists()
        for row in verdict_rows(name, (DOCS / f"benchmarks-{name}.md").read_text())
    ]
    lines += ["", "## Every verdict", "", "| benchmark | target | measured | verdict |"]
    lines += ["|---|---|---|---|", *verdicts]
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
    return max((outcome.exit_code for outcome in outcomes), default=0)


if __name__ == "__main__":
    sys.exit(main())
