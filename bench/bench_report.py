"""Benchmark: how long the practice report (PDF) takes, step by step.

What it does (in a child process, because Django reads ``DATABASE_URL`` once per process):

1. Creates a fresh database (SQLite under ``var/`` by default) and fills it with the dashboard
   benchmark's own filler (``bench_dashboard._fill``: stored KPI vectors per import and window,
   then ``recompute_all``), at a small scale: the report of one practice does not depend on how
   many others there are, only on its own figures and the published group statistics.
2. Times, for the measured practice's current import against the national group,
   ``report_context`` (the same queries and presentation as the dashboard), ``render_html`` (the
   template with every SVG chart) and ``render_pdf`` (WeasyPrint: HTML and CSS to PDF) — each the
   best of ``--runs``, in Dutch and in English — as CPU time of the process and as wall-clock
   time. On a shared machine the wall clock is the CPU time stretched by the load: a report of
   5 CPU seconds takes a minute at a load average of 20 on 2 cores.
3. Times ``import weasyprint`` in a fresh interpreter (the first report of every process pays
   it), with the packages' bytecode as ``make venv`` writes it and without (an empty
   ``-X pycache_prefix`` with ``PYTHONDONTWRITEBYTECODE=1``: what every process paid before).

Run: ``.venv/bin/python -m bench.bench_report [--practices 300 --years 4 --runs 3]``. Prints the
figures and writes docs/benchmarks-report.md.
"""

import argparse
import functools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import fresh_database

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks-report.md"
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench-report.sqlite3'}"


def _best(step, runs: int) -> tuple[dict, object]:
    """The best CPU and wall-clock seconds of ``runs`` calls, and the last result."""
    cpu, wall, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = step()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return {"cpu": min(cpu), "wall": min(wall)}, result


def _pages(pdf: bytes) -> int | None:
    """The page count, from poppler's pdfinfo (installed for the report tests)."""
    if not shutil.which("pdfinfo"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def _import_seconds(bytecode: bool) -> dict:
    """``import weasyprint`` in a fresh interpreter: CPU and wall seconds."""
    code = (
        "import time; w, c = time.perf_counter(), time.process_time(); import weasyprint; "
        "print(time.process_time() - c, time.perf_counter() - w)"
    )
    args = [sys.executable, "-c", code]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as empty:
        if not bytecode:
            args[1:1] = ["-X", f"pycache_prefix={empty}"]
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        out = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    cpu, wall = (float(x) for x in out.stdout.split())
    return {"cpu": cpu, "wall": wall}


def child(url: str, practices: int, years: int, runs: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from bench import national
    from bench.bench_dashboard import _measured_practice
    from parabench import language
    from parabench.benchmark.recompute import recompute_all
    from parabench.dashboard import report
    from parabench.practices.models import Practice
    from parabench.uploads.models import Import

    call_command("migrate", verbosity=0)
    national.fill(*national.generate(practices, years))
    recompute_all()
    practice = Practice.objects.select_related("network").get(pk=_measured_practice())
    imp = Import.objects.filter(practice=practice).order_by("-year").first()
    imp.practice = practice

    import weasyprint

    found = {
        "import": {"bytecode": _import_seconds(True), "compiled": _import_seconds(False)},
        "weasyprint": weasyprint.__version__,
        "languages": {},
    }
    for code in ("nl", "en"):
        with translation.override(code), language.one_language():
            context_s, context = _best(lambda: report.report_context(imp, "national"), runs)
            html_s, html = _best(functools.partial(report.render_html, context), runs)
            pdf_s, pdf = _best(functools.partial(report.render_pdf, context), runs)
        found["languages"][code] = {
            "context": context_s,
            "html": html_s,
            "pdf": pdf_s,
            "html_bytes": len(html),
            "svg_charts": html.count("<svg"),
            "svg_texts": html.count("<text"),
            "pdf_bytes": len(pdf),
            "pages": _pages(pdf),
        }
    return found


def run(practices: int, years: int, runs: int, url: str) -> dict:
    fresh_database(url)
    load = os.getloadavg()[0]
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="parabench.settings")
    args = [sys.executable, "-m", "bench.bench_report", "--child"]
    args += ["--practices", str(practices), "--years", str(years), "--runs", str(runs)]
    out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(
        practices=practices,
        years=years,
        runs=runs,
        database=url.split(":", 1)[0],
        load_before=load,
        load_after=os.getloadavg()[0],
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
    )
    DOC.write_text(markdown(result))
    return result


def markdown(r: dict) -> str:
    lines = [
        "# Benchmark: the practice report (PDF)",
        "",
        "Written by `bench/bench_report.py` (`.venv/bin/python -m bench.bench_report`); see its "
        "docstring for what is measured.",
        "",
        f"- When: {r['when']}; machine: {r['machine']}; database: {r['database']}; load average "
        f"(1 min) {r['load_before']:.1f} before, {r['load_after']:.1f} after",
        f"- WeasyPrint {r['weasyprint']}; data: {r['practices']} practices × {r['years']} years; "
        f"best of {r['runs']} runs per step",
        "",
        "Seconds of CPU time (wall-clock time in brackets):",
        "",
        "| language | report_context | render_html | render_pdf | total | pages | SVG charts "
        "(text elements) | HTML | PDF |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def both(t):
        return f"{t['cpu']:.2f} ({t['wall']:.2f})"

    for code, f in r["languages"].items():
        total = {k: f["context"][k] + f["html"][k] + f["pdf"][k] for k in ("cpu", "wall")}
        lines.append(
            f"| {code} | {both(f['context'])} | {both(f['html'])} | {both(f['pdf'])} | "
            f"{both(total)} | {f['pages']} | {f['svg_charts']} ({f['svg_texts']}) | "
            f"{f['html_bytes'] / 1024:.0f} KiB | {f['pdf_bytes'] / 1024:.0f} KiB |"
        )
    imports = r["import"]
    lines += [
        "",
        f"`import weasyprint` in a fresh process (the first report of each process): "
        f"{both(imports['bytecode'])} s with the bytecode `make venv` writes, "
        f"{both(imports['compiled'])} s when every process compiles the sources again.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--practices", type=int, default=300)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default=SQLITE_URL)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.url, args.practices, args.years, args.runs)))
        return 0
    print(markdown(run(args.practices, args.years, args.runs, args.url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
