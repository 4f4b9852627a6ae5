"""Benchmark: full and incremental recompute of the peer statistics against a fair numpy baseline.

At national scale on PostgreSQL (``bench/national.py``: 10,000 practices × 10 years, 680,000
stored window vectors), in alternated rounds, each side in a process of its own (so that its
peak memory is its own and neither warms the other's caches):

- **numpy baseline**: the same statistical work as production by the best plain numpy method,
  from arrays already in memory — per year and window the growth KPIs against last year's same
  window, the groups (national, 12 provinces, every network, without network, the size classes
  nationally and per province under production's publication rule), and per group
  one sort of its (members × KPIs) matrix, the Harrell–Davis quantiles the disclosure rules
  allow (``stats.hd_window`` @ the sorted values), the keyed dither and the rounding of
  ``disclosure.publish``, and the funnel's τ² (``uncertainty.group_dispersion``). No database.
- **full recompute**: ``recompute_all()`` against the database — choosing the counted rows,
  reading every stored vector, storing growth, computing and writing every group's statistics.

Then, in one more process, the **incremental** recompute after one import (a real export built
through parabench_format, stored with ``store_export``, then the statistics refresh
``recompute_changed`` of its year), a few times.

Reported: every round's times and ratio, min and median of each side, the 1-minute load
average before and after every round, the peak RSS of every process, and a verdict for every
target (full ≤ 1.5 × numpy, incremental ≤ 1 s, peak RSS of a recompute ≤ 300 MB).

Run: ``.venv/bin/python -m bench.bench_statistics [--practices 10000 --years 10 --rounds 3]`` —
prints the figures and writes docs/benchmarks-statistics.md. Database ``bm_statistics``, a copy of
the filled world ``national.TEMPLATE`` (kept between runs), on 127.0.0.1; ``--database URL`` and
``--template NAME`` for others.

``--only incremental``: the incremental rounds alone, after one untimed full recompute (the
state the rounds of a whole run leave them), with the machine probe; prints the figures and writes
no report. The incremental rounds end with a digest of the statistics rows they leave
(``statistics_digest``: every group's figures of the refreshed year and its reference rates,
without the time they were computed), so that two versions of the code can be shown to publish
the same bits.
"""

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench import national
from bench.common import Verdict, child_json, verdict_table

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks-statistics.md"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/bm_statistics"
FULL_RATIO_TARGET = 1.5
INCREMENTAL_TARGET = 1.0  # seconds
RSS_TARGET = 300  # MB


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- The baseline: numpy in memory --------------------------------------------------------------


def _groups(province, network, size) -> dict:
    """Every group production publishes, as production's ``groups.Group`` → member rows: national,
    provinces, networks, without network, and the peer groups by size class (nationally and per
    province; ``size`` is each practice's class of the year, "" for none). The world has no
    declared profiles, so no profile groups."""
    from parabench.benchmark.groups import Group

    found = {Group("national", ""): np.arange(len(province))}
    for code in np.unique(province):
        found[Group("region", str(code))] = np.flatnonzero(province == code)
    for number in np.unique(network):
        kind = "no_network" if number < 0 else "network"
        found[Group(kind, "" if number < 0 else str(number))] = np.flatnonzero(network == number)
    for cls in np.unique(size[size != ""]):
        found[Group("size", str(cls))] = np.flatnonzero(size == cls)
        for code in np.unique(province):
            rows = np.flatnonzero((size == cls) & (province == code))
            if rows.size:
                found[Group("region_size", f"{code}:{cls}")] = rows
    return found


def _size_classes(first_quarter) -> np.ndarray:
    """Each practice's size class of a year from its first quarter, as production fixes it."""
    from parabench.benchmark import groups
    from parabench.benchmark.catalogue import COLUMN_INDEX

    column = first_quarter[:, COLUMN_INDEX[groups.SIZE_COLUMN]]
    return np.array([groups.size_class(float(x)) for x in column])


def numpy_statistics(province, network, data, k: int, secret: bytes) -> int:
    """Production's statistics of every group, year and window, from in-memory matrices.

    Returns how many group rows it made. The dither key is made as production makes it (a
    secret, the group and its members' row numbers), so hashing costs the same. A group by
    size class is published under production's rule (``recompute._differs_enough``: at least
    k practices, and per KPI k values, of each wider group outside it).
    """
    from parabench.benchmark import disclosure
    from parabench.benchmark.groups import BY_KIND, parents
    from parabench.benchmark.kpis import growth_matrix, with_growth
    from parabench.benchmark.recompute import _differs_enough
    from parabench.benchmark.stats import STAT_FIELDS
    from parabench.benchmark.uncertainty import group_dispersion

    tau2, median = STAT_FIELDS.index("tau2"), STAT_FIELDS.index("median")
    floors = disclosure.column_floors()
    made = 0
    sizes = {year: _size_classes(m) for (year, window), m in data.items() if window == "Q1"}
    by_year = {year: _groups(province, network, size) for year, size in sizes.items()}
    for (year, window), stored in sorted(data.items()):
        values = with_growth(stored, growth_matrix(stored, data.get((year - 1, window))))
        groups = by_year[year]
        present = ~np.isnan(values)
        counts = {}
        for group, rows in groups.items():
            made += 1
            if rows.size < k:
                continue
            columns = None
            if group.kind in BY_KIND:
                column_n = present[rows].sum(axis=0)
                for parent in parents(group):
                    if parent not in counts:
                        counts[parent] = (groups[parent].size, present[groups[parent]].sum(0))
                publishable, columns = _differs_enough(group, rows.size, column_n, counts, k)
                if not publishable:
                    continue
            group_values = values[rows]
            ordered = np.sort(group_values.T, axis=1).T
            head = f"{year}|{window}|{group.kind}|{group.key}|".encode()
            published = disclosure.publish(ordered, k, floors, secret + head + rows.tobytes())
            published[tau2] = group_dispersion(group_values, published[median])
            if columns is not None:
                published[1:, ~columns] = np.nan
    return made


def baseline_child(practices: int, years: int) -> dict:
    _setup("sqlite:///:memory:")  # settings only: the baseline never touches a database
    from django.conf import settings

    warnings.simplefilter("ignore", RuntimeWarning)
    province, network, _, data = national.generate(practices, years)
    secret = hashlib.sha256(f"parabench-dither:{settings.SECRET_KEY}".encode()).digest()
    started, cpu = time.perf_counter(), time.process_time()
    groups = numpy_statistics(province, network, data, settings.MIN_GROUP_SIZE, secret)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "groups": groups,
        "peak_rss_mb": _peak_rss_mb(),
    }


# --- The subject: the recompute against PostgreSQL ---------------------------------------------


def prepare_child(url: str, practices: int, years: int, template: str) -> dict:
    _setup(url)
    return national.national_database(url, practices, years, template)


def recompute_child(url: str) -> dict:
    _setup(url)
    from parabench.benchmark.models import GroupStatistics
    from parabench.benchmark.recompute import recompute_all

    warnings.simplefilter("ignore", RuntimeWarning)
    before = _peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    report = recompute_all()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "groups": report["groups"],
        "stored_groups": GroupStatistics.objects.count(),
        "rss_before_mb": before,
        "peak_rss_mb": _peak_rss_mb(),
    }


def statistics_digest(year: int) -> str:
    """sha256 of what ``year``'s statistics publish: every group row (window, kind, key, n, the
    figures and their layouts) and every reference rates row, in key order; not ``computed_at``.
    Read in chunks: a year's figures are 30 MB."""
    from parabench.benchmark.models import GroupStatistics, ReferenceRates

    digest = hashlib.sha256()
    for model, fields in (
        (GroupStatistics, ("window", "kind", "key", "n", "stats", "statistics_id", "columns_id")),
        (ReferenceRates, ("window", "n", "rates", "layout_id")),
    ):
        rows = model.objects.filter(year=year).order_by(*fields[:3]).values_list(*fields)
        for row in rows.iterator(chunk_size=500):
            digest.update(
                repr(tuple(bytes(x) if isinstance(x, memoryview) else x for x in row)).encode()
            )
    return digest.hexdigest()


def incremental_child(url: str, repeat: int) -> dict:
    """Import one export of a practice (the import's own transaction), then the refresh; ``repeat``
    times with format 1.0 exports in the world as filled (no case-mix cells), then ``repeat``
    times with format 1.1 exports after every counted row of the year got cells (every practice
    on format 1.1: each refresh then recomputes the national reference rates of the windows the
    import touched)."""
    _setup(url)
    from parabench.benchmark.recompute import warm_cells, warm_weights
    from parabench.practices.models import Practice
    from parabench_format.models import FORMAT_1_0, FORMAT_1_1

    warnings.simplefilter("ignore", RuntimeWarning)
    year = national.LAST_YEAR
    # What the statistics worker does when it starts (benchmark.signals), before its first
    # refresh: timed and reported beside the refreshes.
    started = time.perf_counter()
    warmed = warm_weights()
    warm_seconds = time.perf_counter() - started
    step = max(1, Practice.objects.count() // (2 * repeat + 1))
    practices = list(Practice.objects.order_by("pk")[::step][: 2 * repeat])
    plain = _refreshes(practices[:repeat], year, FORMAT_1_0, first=0)
    started = time.perf_counter()
    cells = national.fill_cells(year)
    fill = time.perf_counter() - started
    # What the statistics worker does next at its start, now that the year has cells.
    started = time.perf_counter()
    cells_warmed = warm_cells()
    warm_cells_seconds = time.perf_counter() - started
    casemix = _refreshes(practices[repeat:], year, FORMAT_1_1, first=repeat)
    return {
        "warm_seconds": warm_seconds,
        "warm_pairs": warmed,
        "warm_cells_seconds": warm_cells_seconds,
        "warm_cells_rows": cells_warmed,
        "store_runs": plain["store"],
        "incremental_runs": plain["refresh"],
        "incremental_cpu": plain["cpu"],
        "dashboard_median": statistics.median(plain["dashboard"]),
        "casemix_runs": casemix["refresh"],
        "casemix_cpu": casemix["cpu"],
        "cells_rows": cells,
        "cells_fill_seconds": fill,
        "peak_rss_mb": _peak_rss_mb(),
        # After every figure above: reading the rows back is no part of them.
        "digest": statistics_digest(year),
    }


def _refreshes(practices, year: int, format_version: str, first: int) -> dict:
    from django.db import transaction

    from parabench.benchmark.ingest import store_export
    from parabench.benchmark.queries import dashboard_for
    from parabench.benchmark.recompute import recompute_changed
    from parabench.uploads.models import Import
    from tests.benchmark.factories import make_export

    found = {"store": [], "refresh": [], "cpu": [], "dashboard": []}
    for n, practice in enumerate(practices, start=first):
        export = make_export(
            practice.agb_code, year, quarters=3, size=2 + n, format_version=format_version
        )
        started = time.perf_counter()
        with transaction.atomic():
            Import.objects.filter(practice=practice, year=year).update(is_current=False)
            now = datetime.now(UTC)
            imp = Import.objects.create(
                practice=practice,
                certificate_fingerprint="cd" * 32,
                status=Import.Status.IMPORTED,
                uploaded_at=now,
                imported_at=now,
                exported_at=now,
                content_sha256=f"incremental-{n}".ljust(64, "0"),
                body_path="bench",
                body_size=1,
                format_version="parabench-mi/1",
                year=year,
                period_begin=export.period.begin,
                period_end=export.period.end,
                is_current=True,
            )
            store_export(imp, export)
        found["store"].append(time.perf_counter() - started)
        started, cpu = time.perf_counter(), time.process_time()
        report = recompute_changed(year)
        found["refresh"].append(time.perf_counter() - started)
        found["cpu"].append(time.process_time() - cpu)
        if report.get("full"):
            raise RuntimeError("the refresh after one import recomputed the whole year")
        for group in ("national", "region", "network"):
            started = time.perf_counter()
            dashboard_for(imp, group)
            found["dashboard"].append(time.perf_counter() - started)
    return found


# --- Parent: rounds, the report -----------------------------------------------------------------


def _child(*args) -> dict:
    return child_json("bench.bench_statistics", *args)


def run_incremental(practices, years, repeat, url, template) -> dict:
    """``--only incremental``: the incremental rounds of ``run`` on a database in the state the
    full rounds leave it (one full recompute, untimed), with the machine probe beside them."""
    from bench.common import machine_probe

    result = {"practices": practices, "years": years, "probe": machine_probe()}
    _child("--prepare", url, "--practices", practices, "--years", years, "--template", template)
    result["full_recompute_seconds"] = _child("--recompute", url)["seconds"]
    result["incremental"] = _child("--incremental", url, "--repeat", repeat)
    result["probe_after"] = machine_probe()
    _child("--drop", url)
    for name, runs in (("format 1.0", "incremental_runs"), ("format 1.1", "casemix_runs")):
        times = result["incremental"][runs]
        print(
            f"{name}: " + ", ".join(f"{t:.2f}" for t in times) + f" s; min {min(times):.2f}, "
            f"median {statistics.median(times):.2f}, slowest {max(times):.2f}",
            flush=True,
        )
    print(
        f"worker start (warm_weights): {result['incremental']['warm_seconds']:.2f} s, "
        f"{result['incremental']['warm_pairs']:,} (n, q); (warm_cells, once the year has "
        f"cells): {result['incremental']['warm_cells_seconds']:.2f} s, "
        f"{result['incremental']['warm_cells_rows']:,} rows",
        flush=True,
    )
    print(f"digest {result['incremental']['digest']}", flush=True)
    return result


def run(
    practices=10_000, years=10, rounds=3, repeat=5, url=POSTGRES_URL, template=national.TEMPLATE
) -> dict:
    result = {"practices": practices, "years": years}
    result["prepare"] = _child(
        "--prepare", url, "--practices", practices, "--years", years, "--template", template
    )
    result["rounds"] = []
    for number in range(rounds):
        # Alternated: the side that runs first in one round runs second in the next.
        order = ("numpy", "recompute") if number % 2 == 0 else ("recompute", "numpy")
        one = {"order": order, "load_before": os.getloadavg()[0]}
        for side in order:
            if side == "numpy":
                one["numpy"] = _child("--baseline", "--practices", practices, "--years", years)
            else:
                one["recompute"] = _child("--recompute", url)
        one["load_after"] = os.getloadavg()[0]
        one["ratio"] = one["recompute"]["seconds"] / one["numpy"]["seconds"]
        result["rounds"].append(one)
        print(
            f"round {number + 1}: numpy {one['numpy']['seconds']:.1f} s, recompute "
            f"{one['recompute']['seconds']:.1f} s, ratio {one['ratio']:.2f}",
            flush=True,
        )
    result["incremental"] = _child("--incremental", url, "--repeat", repeat)
    result["load_end"] = os.getloadavg()[0]
    _child("--drop", url)
    DOC.write_text(markdown(result))
    return result


def markdown(result: dict) -> str:
    rounds = result["rounds"]
    numpy_s = [r["numpy"]["seconds"] for r in rounds]
    full_s = [r["recompute"]["seconds"] for r in rounds]
    ratios = [r["ratio"] for r in rounds]
    incremental = result["incremental"]["incremental_runs"]
    casemix = result["incremental"]["casemix_runs"]
    min_ratio = min(full_s) / min(numpy_s)
    median_ratio = statistics.median(full_s) / statistics.median(numpy_s)
    peak = max(
        [r["recompute"]["peak_rss_mb"] for r in rounds] + [result["incremental"]["peak_rss_mb"]]
    )
    lines = [
        "# Benchmark: peer statistics (full and incremental recompute)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} CPU cores (shared), Python "
        f"{platform.python_version()}, numpy {np.__version__}, PostgreSQL; "
        "`.venv/bin/python -m bench.bench_statistics "
        f"--practices {result['practices']} --years {result['years']} --rounds {len(rounds)}`.",
        "",
        f"Scale: **{result['practices']:,} practices × {result['years']} years** on PostgreSQL "
        f"({rounds[0]['recompute']['groups']:,} group statistics rows per full recompute, "
        f"{rounds[0]['numpy']['groups']:,} groups by the baseline; the "
        "world of `bench/national.py`: stored window vectors of every practice, year and window, "
        "the last year to Q3, 400 networks).",
        "",
        "**Fair baseline.** *numpy* does the same statistical work as production by the best "
        "plain method, from matrices already in memory: per year and window the growth KPIs, "
        "every group's matrix sorted once, the Harrell–Davis quantiles the disclosure rules "
        "allow, the keyed dither and rounding of `disclosure.publish` and the funnel's τ². "
        "*Full recompute* is `recompute_all()` against the database: choosing the counted rows, "
        "reading every vector, storing growth, computing and writing every group. Each side runs "
        "in its own process, the two alternate (the first of a round runs second in the next).",
        "",
        "| round | order | load before | numpy | full recompute | ratio | CPU numpy "
        "| CPU recompute "
        "| peak RSS numpy | peak RSS recompute |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, r in enumerate(rounds, start=1):
        lines.append(
            f"| {number} | {' → '.join(r['order'])} | {r['load_before']:.1f} | "
            f"{r['numpy']['seconds']:.2f} s | {r['recompute']['seconds']:.2f} s | "
            f"{r['ratio']:.2f}× | {r['numpy']['cpu_seconds']:.2f} s | "
            f"{r['recompute']['cpu_seconds']:.2f} s | {r['numpy']['peak_rss_mb']:.0f} MB | "
            f"{r['recompute']['peak_rss_mb']:.0f} MB |"
        )
    lines += [
        f"| **min** | | | {min(numpy_s):.2f} s | {min(full_s):.2f} s | {min_ratio:.2f}× | | | | |",
        f"| **median** | | | {statistics.median(numpy_s):.2f} s | "
        f"{statistics.median(full_s):.2f} s | {median_ratio:.2f}× | | | | |",
        "",
        "Wall-clock seconds decide the verdict. CPU is each process's own CPU time: the "
        "recompute's excludes the PostgreSQL server's work (reading, ranking, writing), so "
        "it understates the recompute; it shows how much of a wall time was waiting for a "
        "core on the shared machine.",
        "",
        "| incremental (one import, then `recompute_changed` of its year) | seconds |",
        "|---|---:|",
        "| the statistics worker's start before its first refresh (`recompute.warm_weights`: "
        f"{result['incremental']['warm_pairs']:,} sizes × quantiles of the stored groups) | "
        f"{result['incremental']['warm_seconds']:.2f} |",
        "| its reading of the latest year's counted case-mix cells, once the year has them "
        "(`recompute.warm_cells`: "
        f"{result['incremental']['warm_cells_rows']:,} rows, before the format 1.1 runs) | "
        f"{result['incremental']['warm_cells_seconds']:.2f} |",
        "| runs (the first in a fresh process, after that start) | "
        + ", ".join(f"{t:.2f}" for t in incremental)
        + " |",
        "| CPU of this process per run | "
        + ", ".join(f"{t:.2f}" for t in result["incremental"]["incremental_cpu"])
        + " |",
        f"| median | {statistics.median(incremental):.2f} |",
        f"| slowest | {max(incremental):.2f} |",
        "| storing the export's KPI rows (median) | "
        f"{statistics.median(result['incremental']['store_runs']):.3f} |",
        f"| `dashboard_for` one import and group (median) | "
        f"{result['incremental']['dashboard_median']:.3f} |",
        "| **every practice on format 1.1** (cells given to the year's "
        f"{result['incremental']['cells_rows']:,} counted rows), one 1.1 import, then the "
        "refresh: runs | " + ", ".join(f"{t:.2f}" for t in casemix) + " |",
        "| CPU of this process per run | "
        + ", ".join(f"{t:.2f}" for t in result["incremental"]["casemix_cpu"])
        + " |",
        f"| median | {statistics.median(casemix):.2f} |",
        "",
        "Load average (1 min) at the end: "
        f"{result['load_end']:.1f}. Preparing the database: "
        + (
            f"copied from the filled template in {result['prepare']['copy_seconds']:.1f} s"
            if result["prepare"].get("template_reused")
            else f"filled in {result['prepare'].get('fill_seconds', 0):.1f} s"
        )
        + " (not part of any figure).",
        "",
        "**Where the time goes.** Both sides do the same numpy work: per group one sort of its "
        "(members × KPIs) matrix, the Harrell–Davis quantiles (`stats.hd_window`: weights by "
        "quadrature over the ≈ 10 standard deviations that carry mass, cached per size) and "
        "the funnel's τ² of every KPI at once (`uncertainty.group_dispersion`). Until issue 18's "
        "second round the weights were a continued fraction at every cell edge (0.3–0.7 s per "
        "size at n ≈ 9,800: a cold incremental refresh spent 78 s there) and τ² one KPI at a "
        "time (75 % of a full recompute: 185,000 calls of np.quantile). What the recompute "
        "adds: choosing the counted rows (one window function and two updates per year, only "
        "changed flags written), reading the rows one window at a time in binary, writing "
        "back growth figures that changed (normally none) and writing the statistics rows by "
        "`COPY`. The baseline publishes the same groups as production, the peer groups by size "
        "class (national and per province) included, under the same publication rule. The "
        "world of the rounds has no case-mix cells (format 1.0): the full recompute reads no "
        "cells with its windows, and the baseline computes no rates.",
        "",
        "**The incremental refresh** reads the year's counted rows window by window (the "
        "national group holds every practice; the next window is fetched in a thread while "
        "this one's statistics are computed) and recomputes the changed practice's groups: "
        "national, province, network, its size class of the last recompute and of today, "
        "nationally and in the province, and its profile; any other group by kind only when a "
        "margin of the publication rule now lies within one practice per changed practice of "
        "k (`recompute._may_flip`). The reference rates are recomputed only for the windows "
        "whose counted rows with cells changed: none after a 1.0 import that replaced a 1.0 "
        "export, every window the export covers after a 1.1 import: it needs every counted "
        "practice's cells of those windows (0.96 KB each, stored as whole counts) and computes "
        "every practice's index for τ². The statistics worker keeps the year's counted cells "
        "between refreshes "
        "(`recompute.CellsCache`, keyed by row id and version), read whole when the worker "
        "starts (`recompute.warm_cells`, timed above): every refresh reads only the cells of "
        "the import's rows. "
        "A row with cells stays in one piece on PostgreSQL (`toast_tuple_target`, "
        "docs/statistics.md §7), and a refresh runs with glibc keeping the memory its arrays "
        "free for its next ones (`parabench.tasks.kept_heap`).",
        "",
        "**Verdicts.**",
        "",
        *verdict_table(
            [
                Verdict(
                    f"Full recompute ≤ {FULL_RATIO_TARGET} × the numpy baseline",
                    f"{min_ratio:.2f}× (min against min), {median_ratio:.2f}× (median against "
                    "median); per round " + ", ".join(f"{x:.2f}×" for x in ratios),
                    max(min_ratio, median_ratio) <= FULL_RATIO_TARGET,
                ),
                Verdict(
                    f"Incremental recompute ≤ {INCREMENTAL_TARGET:.0f} s",
                    f"median {statistics.median(incremental):.2f} s, slowest "
                    f"{max(incremental):.2f} s",
                    max(incremental) <= INCREMENTAL_TARGET,
                ),
                Verdict(
                    f"Incremental recompute ≤ {INCREMENTAL_TARGET:.0f} s, every practice on "
                    "format 1.1 (the reference rates of the import's windows recomputed)",
                    f"median {statistics.median(casemix):.2f} s, slowest {max(casemix):.2f} s",
                    max(casemix) <= INCREMENTAL_TARGET,
                ),
                Verdict(
                    f"Peak RSS of a recompute process ≤ {RSS_TARGET} MB (a national refresh of "
                    "every year)",
                    f"{peak:.0f} MB",
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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", default=POSTGRES_URL)
    parser.add_argument("--template", default=national.TEMPLATE, help="the filled world")
    parser.add_argument(
        "--only", choices=["incremental"], help="only the incremental rounds; no report written"
    )
    parser.add_argument("--prepare", metavar="URL")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--recompute", metavar="URL")
    parser.add_argument("--incremental", metavar="URL")
    parser.add_argument("--drop", metavar="URL")
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare_child(args.prepare, args.practices, args.years, args.template)))
    elif args.baseline:
        print(json.dumps(baseline_child(args.practices, args.years)))
    elif args.recompute:
        print(json.dumps(recompute_child(args.recompute)))
    elif args.incremental:
        print(json.dumps(incremental_child(args.incremental, args.repeat)))
    elif args.drop:
        national.drop_database(args.drop)
        print("{}")
    elif args.only == "incremental":
        result = run_incremental(
            args.practices, args.years, args.repeat, args.database, args.template
        )
        print(json.dumps(result, indent=1))
    else:
        result = run(
            args.practices, args.years, args.rounds, args.repeat, args.database, args.template
        )
        print(json.dumps(result, indent=1))
        print(f"written: {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
