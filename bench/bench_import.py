"""Benchmark: one import against a bare parse and schema validation of the same file.

At national scale on PostgreSQL (a copy of ``bench/national.py``'s world: 10,000 practices × 10
years). Per round, a fresh set of exports of existing practices is uploaded through the real
intake (``intake.accept_export``: validated, fsynced, an Import row and its task queued); then,
alternating which goes first:

- **baseline**: ``Export.model_validate_json`` of every one of those files — parsing the JSON and
  checking it against the format's schema (pydantic, one pass: the fastest plain way there is);
- **import**: the import worker's own work for the same uploads, in this process — django-tasks-
  db's worker loop (what ``manage.py import_worker`` runs) draining the queued import tasks:
  claiming them, reading the stored bodies, everything the imports store, in their transactions.
  The statistics refresh the imports queue is not part of it: it is timed by bench_statistics.

Reported per round: both times per export and their ratio; min and median over the rounds; the
load average before and after each round; the peak RSS of this process. Then the worker as it
runs in production (``manage.py import_worker --batch``, a process of its own): its throughput
over one more set of uploads, and its peak RSS while it also runs the statistics refresh of a
whole year at national scale (measured by the kernel: ``wait4``'s ``ru_maxrss``).

Run: ``.venv/bin/python -m bench.bench_import [--count 300 --rounds 3]`` — prints the figures and
writes docs/benchmarks-import.md. Database ``bm_import`` (a copy of ``national.TEMPLATE``).
"""

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

from bench import national
from bench.common import Verdict, child_json, verdict_table

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks-import.md"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/bm_import"
RATIO_TARGET = 3.0
RSS_TARGET = 300  # MB
YEAR = national.LAST_YEAR - 1  # a closed year: every practice of the world has sent it


def _env(url: str) -> dict:
    work = ROOT / "var" / url.rsplit("/", 1)[1]
    return {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "parabench.settings",
        "LOG_LEVEL": "WARNING",
        "UPLOAD_STORAGE_DIR": str(work / "uploads"),
        # The refresh is measured on its own (bench_statistics), not inside the imports.
        "UPLOAD_STATISTICS_DELAY_SECONDS": "3600",
        "PYTHONPATH": str(ROOT),
    }


def _setup(url: str) -> None:
    os.environ.update(_env(url))
    import django

    django.setup()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare_child(url: str, practices: int, years: int, template: str) -> dict:
    _setup(url)
    shutil.rmtree(Path(os.environ["UPLOAD_STORAGE_DIR"]), ignore_errors=True)
    return national.national_database(url, practices, years, template)


def _upload(count: int, offset: int) -> tuple[list[int], list[bytes], float]:
    """``count`` new exports of existing practices through the real intake; their import ids,
    their bodies and the seconds the intake took (not part of any ratio)."""
    from parabench.practices.models import Practice
    from parabench.uploads import intake
    from tests.uploads.exports import export_bytes, make_export

    practices = list(Practice.objects.order_by("pk")[offset : offset + count])
    _previous_bodies(practices, offset)
    bodies = [
        export_bytes(make_export(p.agb_code, year=YEAR, patients=30 + n % 20, seed=offset + n))
        for n, p in enumerate(practices)
    ]
    started = time.perf_counter()
    ids = [
        intake.accept_export(
            practice=practice, certificate_fingerprint="ef" * 32, body=body, encoding="identity"
        ).imp.pk
        for practice, body in zip(practices, bodies, strict=True)
    ]
    return ids, bodies, time.perf_counter() - started


def _previous_bodies(practices, offset: int) -> None:
    """Give each practice's current export of YEAR its body on disk, as in production (the
    national world is filled without bodies): an import that replaces an export of its year —
    three uploads in four, one per quarter — compares their sessions
    (``plausibility.previous_exports``). Set-up, not timed."""
    from django.db import transaction
    from pydantic_core import from_json

    from parabench.uploads import storage
    from parabench.uploads.models import Import
    from parabench.uploads.plausibility import window_sessions
    from tests.uploads.exports import export_bytes, make_export

    root = storage.storage_root()
    with transaction.atomic():
        for n, practice in enumerate(practices):
            body = export_bytes(make_export(practice.agb_code, year=YEAR, seed=10**6 + offset + n))
            relative = f"{practice.pk}/previous-{YEAR}.json"
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(body)
            # Its window sessions as its import (or, for an export imported before they were
            # kept, migration uploads 0002) stored them: what the comparison reads.
            Import.objects.filter(
                practice=practice, year=YEAR, status=Import.Status.IMPORTED, is_current=True
            ).update(
                body_path=relative,
                window_sessions=window_sessions(from_json(body)),
            )


def _baseline(bodies: list[bytes]) -> float:
    from parabench_format import Export

    started = time.perf_counter()
    for body in bodies:
        Export.model_validate_json(body)
    return time.perf_counter() - started


def _import(ids: list[int]) -> float:
    """The queued import tasks, run by django-tasks-db's own worker loop in this process (as
    ``manage.py import_worker`` runs them, without starting a process) until none is left."""
    from django_tasks_db.management.commands.db_worker import Worker

    from parabench.uploads.models import Import

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench",
        excluded_queue_names=[],
    )
    started = time.perf_counter()
    worker.run()
    seconds = time.perf_counter() - started
    done = Import.objects.filter(pk__in=ids, status=Import.Status.IMPORTED).count()
    if done != len(ids):
        raise RuntimeError(f"{len(ids) - done} of {len(ids)} uploads not imported")
    return seconds


SINGLE = 20  # uploads per round imported one at a time (a batch of one each)


def _import_one_by_one(ids: list[int]) -> float:
    """The same worker loop with a batch size of one: every upload its own transaction, as when
    uploads trickle in one at a time (a quiet day)."""
    from django.conf import settings

    size = settings.UPLOAD_IMPORT_BATCH_SIZE
    settings.UPLOAD_IMPORT_BATCH_SIZE = 1
    try:
        return _import(ids)
    finally:
        settings.UPLOAD_IMPORT_BATCH_SIZE = size


def rounds_child(url: str, count: int, rounds: int) -> dict:
    _setup(url)
    warnings.simplefilter("ignore", RuntimeWarning)
    from parabench.practices.models import Practice

    # The single uploads' practices: the last ones, far from the batched rounds' and the worker's.
    single_offset = Practice.objects.count() - rounds * SINGLE
    out = {"rounds": []}
    for number in range(rounds):
        ids, bodies, intake_seconds = _upload(count, offset=number * count)
        one = {"load_before": os.getloadavg()[0], "intake_seconds": intake_seconds}
        one["order"] = ("baseline", "import") if number % 2 == 0 else ("import", "baseline")
        one["body_bytes"] = statistics.mean(len(b) for b in bodies)
        for side in one["order"]:
            seconds = _baseline(bodies) if side == "baseline" else _import(ids)
            one[side] = seconds / count
        # The single-export cost beside it: a few uploads, each imported alone.
        ids, bodies, _ = _upload(SINGLE, offset=single_offset + number * SINGLE)
        for side in one["order"]:
            if side == "baseline":
                one["single_baseline"] = _baseline(bodies) / SINGLE
            else:
                one["single"] = _import_one_by_one(ids) / SINGLE
        one["load_after"] = os.getloadavg()[0]
        one["ratio"] = one["import"] / one["baseline"]
        one["single_ratio"] = one["single"] / one["single_baseline"]
        out["rounds"].append(one)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def profile_child(url: str, count: int, offset: int, top: int = 40) -> dict:
    """cProfile of the import side of one round (``count`` uploads from ``offset``): where the
    time goes. Run on a fresh copy (``--prepare``); prints the profile to stderr."""
    import cProfile
    import io
    import pstats

    _setup(url)
    ids, bodies, _ = _upload(count, offset)
    _baseline(bodies)  # warm: the first parse of a process builds pydantic's validators
    profiler = cProfile.Profile()
    profiler.enable()
    seconds = _import(ids)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    stats.dump_stats(ROOT / "var" / "bench_import.prof")  # for pstats / snakeviz
    print(out.getvalue(), file=sys.stderr)
    return {"uploads": count, "import_per_export_ms": seconds / count * 1000}


def upload_child(url: str, count: int, offset: int) -> dict:
    _setup(url)
    ids, _, seconds = _upload(count, offset)
    return {"uploads": len(ids), "intake_seconds": seconds}


def _worker(url: str) -> dict:
    """``manage.py import_worker --batch`` until the queue is empty: seconds and peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_worker", "--batch", "--no-reload"]
        + ["--no-startup-delay", "--interval", "0.05", "--verbosity", "0"],
        env={**os.environ, **_env(url)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import_worker failed: {process.stderr.read().decode()[-2000:]}")
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024}


def queue_refresh_child(url: str, year: int) -> dict:
    """Make ``year`` need a national refresh and queue it: every row as if just imported (no
    counted flag, no growth figures), so the refresh recomputes the whole year."""
    _setup(url)
    from django.db import connection, transaction

    from parabench.benchmark.models import WindowValues
    from parabench.benchmark.tasks import refresh_statistics

    with transaction.atomic():
        WindowValues.objects.filter(year=year).update(counted=False, growth=None)
        refresh_statistics.enqueue(year)
    if connection.vendor == "postgresql":
        # Fresh planner statistics after flipping a whole year at once: without them PostgreSQL
        # takes "year = … AND NOT counted" for one row and runs the recompute's counted-flag
        # update as a nested loop over its window subquery — quadratic, still running after
        # 16 minutes on 2026-11-29 (cancelled). In production the rows arrive gradually and
        # autovacuum analyses them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE benchmark_windowvalues")
    return {}


def _child(*args) -> dict:
    return child_json("bench.bench_import", *args)


def run(
    practices=10_000, years=10, count=300, rounds=3, url=POSTGRES_URL, template=national.TEMPLATE
) -> dict:
    result = {"practices": practices, "years": years, "count": count}
    result["prepare"] = _child(
        "--prepare", url, "--practices", practices, "--years", years, "--template", template
    )
    result.update(_child("--rounds-of", url, "--count", count, "--rounds", rounds))
    # The worker as deployed: first imports only, then a national refresh of one whole year.
    uploads = _child("--upload", url, "--count", count, "--offset", rounds * count)
    worker = _worker(url)
    result["worker"] = {**uploads, **worker, "per_second": uploads["uploads"] / worker["seconds"]}
    _child("--queue-refresh", url, "--year", national.LAST_YEAR)
    result["worker_refresh"] = _worker(url)
    result["load_end"] = os.getloadavg()[0]
    _child("--drop", url)
    DOC.write_text(markdown(result))
    return result


def markdown(result: dict) -> str:
    rounds = result["rounds"]
    base = [r["baseline"] for r in rounds]
    imp = [r["import"] for r in rounds]
    min_ratio = min(imp) / min(base)
    median_ratio = statistics.median(imp) / statistics.median(base)
    single_base = [r["single_baseline"] for r in rounds]
    single = [r["single"] for r in rounds]
    single_min = min(single) / min(single_base)
    single_median = statistics.median(single) / statistics.median(single_base)
    peak = max(
        result["peak_rss_mb"],
        result["worker"]["peak_rss_mb"],
        result["worker_refresh"]["peak_rss_mb"],
    )
    loads = [r["load_before"] for r in rounds] + [r["load_after"] for r in rounds]
    lines = [
        "# Benchmark: one import against a bare parse and schema validation",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} CPU cores (shared), Python "
        f"{platform.python_version()}, PostgreSQL; `.venv/bin/python -m bench.bench_import "
        f"--count {result['count']} --rounds {len(rounds)}`: load average (1 min) "
        f"{min(loads):.1f}–{max(loads):.1f} during the rounds.",
        "",
        f"Scale: **{result['practices']:,} practices × {result['years']} years** already stored "
        "(`bench/national.py`). Each round uploads "
        f"{result['count']} new exports of existing practices "
        f"(≈ {rounds[0]['body_bytes'] / 1024:.0f} KB each) through the real intake, each "
        "replacing the export of its year the practice sent before (whose body is on disk, as "
        "in production: the import compares their sessions), then times, alternating which "
        "goes first: the *baseline* — `Export.model_validate_json` of each file (JSON parse and "
        "schema validation in one pass) — and the *import* — each upload's import task as the "
        "worker runs it, everything it stores and queues included (its notifications too; not "
        "the statistics refresh, which bench_statistics times, nor the verdict notices, which "
        "wait for that refresh): django-tasks-db's worker loop run in this process until the "
        "queue is empty.",
        "",
        "**Why per export of a batch.** The importer imports in batches "
        "(`UPLOAD_IMPORT_BATCH_SIZE`, 100 by default): the first task takes up to 99 waiting "
        "uploads along, in one transaction. Uploads arrive in bursts — the whole country "
        "after a quarter closes — so under load, when import speed matters, uploads wait and "
        "batches fill; one import then costs the batch's time divided by its uploads. "
        f"{result['count']} uploads per round are {result['count'] / 100:g} batches of 100. "
        "When uploads trickle in "
        f"one at a time nothing waits and speed does not matter, but that cost is shown too: "
        f"{SINGLE} more uploads per round, each imported alone (batch size 1), against the "
        "parse of the same files.",
        "",
        "| round | order | load before → after | baseline per export | import per export "
        "(batch of 100) | ratio | baseline, alone | import alone | ratio alone |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, r in enumerate(rounds, start=1):
        lines.append(
            f"| {number} | {' → '.join(r['order'])} | {r['load_before']:.1f} → "
            f"{r['load_after']:.1f} | {r['baseline'] * 1000:.2f} ms | "
            f"{r['import'] * 1000:.2f} ms | {r['ratio']:.2f}× | "
            f"{r['single_baseline'] * 1000:.2f} ms | {r['single'] * 1000:.2f} ms | "
            f"{r['single_ratio']:.2f}× |"
        )
    lines += [
        f"| **min** | | | {min(base) * 1000:.2f} ms | {min(imp) * 1000:.2f} ms | "
        f"{min_ratio:.2f}× | {min(single_base) * 1000:.2f} ms | {min(single) * 1000:.2f} ms | "
        f"{single_min:.2f}× |",
        f"| **median** | | | {statistics.median(base) * 1000:.2f} ms | "
        f"{statistics.median(imp) * 1000:.2f} ms | {median_ratio:.2f}× | "
        f"{statistics.median(single_base) * 1000:.2f} ms | "
        f"{statistics.median(single) * 1000:.2f} ms | {single_median:.2f}× |",
        "",
        "The worker as deployed (`manage.py import_worker --batch`, its own process):",
        "",
        "| | figure |",
        "|---|---:|",
        f"| {result['worker']['uploads']} uploads imported | "
        f"{result['worker']['seconds']:.1f} s ({result['worker']['per_second']:.0f} per s, "
        "process start included) |",
        f"| peak RSS, importing | {result['worker']['peak_rss_mb']:.0f} MB |",
        f"| peak RSS, the statistics refresh of a whole year at national scale | "
        f"{result['worker_refresh']['peak_rss_mb']:.0f} MB "
        f"({result['worker_refresh']['seconds']:.0f} s) |",
        f"| peak RSS of the benchmark process (it imported every round) | "
        f"{result['peak_rss_mb']:.0f} MB |",
        "",
        f"Load average (1 min) at the end: {result['load_end']:.1f}.",
        "",
        "**Where the time goes** (the phases of 300 imports timed inside the worker, "
        "`bench_import --profile` for cProfile; PostgreSQL, national scale, 2026-11-29, load "
        "14–20): the parse of each body over a third — as much as the baseline itself since the "
        "cycle collector is paused while a batch is built (before, it kept rescanning the "
        "exports the batch holds and the same parse took 1.9× as long); the KPI vectors of its "
        "seven windows about 20 %; reading the replaced export's periods and sessions for "
        "the comparison about 10 % (since 2026-11-30 read from `Import.window_sessions` "
        "instead of its body; each parsed export is also let go once its KPI rows are worked "
        "out, `uploads.signals.export_read`); the database — about thirty statements per "
        "batch of 100 (claim, lock, status, "
        "current export, one COPY of 700 KPI rows, one refresh request, one notification task "
        "of each kind) and the worker's claim of the batch's tasks — the rest. On this loaded "
        "machine every round trip to PostgreSQL waits for a core, which is why the database "
        "share is larger than its statements suggest. Earlier today (issue 18's figure, "
        "11.85× median) each import also queued two notification tasks that the worker "
        "claimed, ran and closed one by one — 600 tasks per 300 imports, several times the "
        "imports' own time.",
        "",
        "**Verdicts.**",
        "",
        *verdict_table(
            [
                Verdict(
                    f"One import ≤ {RATIO_TARGET:.0f} × a bare parse and schema validation of "
                    "the same file",
                    f"in a batch of 100: {min_ratio:.2f}× (min), {median_ratio:.2f}× "
                    "(median); per round "
                    + ", ".join(f"{r['ratio']:.2f}×" for r in rounds)
                    + f"; alone (batch of one): {single_min:.2f}× (min), {single_median:.2f}× "
                    "(median)",
                    max(min_ratio, median_ratio) <= RATIO_TARGET,
                ),
                Verdict(
                    f"Every worker ≤ {RSS_TARGET} MB RSS, a national refresh included",
                    f"at most {peak:.0f} MB",
                    peak <= RSS_TARGET,
                ),
            ]
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--year", type=int)
    parser.add_argument("--database", default=POSTGRES_URL)
    parser.add_argument("--template", default=national.TEMPLATE, help="the filled world")
    parser.add_argument("--prepare", metavar="URL")
    parser.add_argument("--rounds-of", metavar="URL")
    parser.add_argument("--upload", metavar="URL")
    parser.add_argument("--profile", metavar="URL", help="cProfile one round's imports")
    parser.add_argument("--queue-refresh", metavar="URL")
    parser.add_argument("--drop", metavar="URL")
    args = parser.parse_args()
    if args.prepare:
        out = prepare_child(args.prepare, args.practices, args.years, args.template)
    elif args.rounds_of:
        out = rounds_child(args.rounds_of, args.count, args.rounds)
    elif args.profile:
        out = profile_child(args.profile, args.count, args.offset)
    elif args.upload:
        out = upload_child(args.upload, args.count, args.offset)
    elif args.queue_refresh:
        out = queue_refresh_child(args.queue_refresh, args.year)
    elif args.drop:
        national.drop_database(args.drop)
        out = {}
    else:
        out = run(args.practices, args.years, args.count, args.rounds, args.database, args.template)
        print(json.dumps(out, indent=1))
        print(f"written: {DOC.relative_to(ROOT)}")
        return 0
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
