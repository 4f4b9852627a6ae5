"""Benchmark: dashboard page server time at national scale, against a minimal Django view.

What it does (in a child process, because Django reads ``DATABASE_URL`` once per process):

1. Creates a fresh database (PostgreSQL ``dash_bench`` on 127.0.0.1 by default) and migrates it.
2. Fills it at the requested scale — ``practices`` × ``years``, spread over the 12 provinces and
   over networks — directly with stored KPI vectors per import and window (plausible random
   values), **not** through uploads: the upload and import paths have their own benchmarks, and
   what a dashboard page costs depends on the stored rows, not on how they got there. Then the
   engine's own ``recompute_all()`` writes every group statistic and percentile position, exactly
   as after real imports, and ``ANALYZE`` gives the planner its statistics (as autovacuum would).
3. Starts the portal on uvicorn (the server ``make run`` uses) on 127.0.0.1, a free port, with one
   extra URL: a minimal login-required view that returns "ok" through the same middleware.
4. Logs in one practice user and requests, interleaved, the minimal view and the dashboard of that
   practice's current import — every tab × every comparison group in turn (Trends with each of its
   KPIs in turn), in rounds. Server time is taken inside the server (an ASGI wrapper from the
   first byte of the request to the last byte of the response); the round trip seen by the client
   is reported too.

Target (issue 7): dashboard p95 ≤ 3 × the minimal view's p95.

Run: ``.venv/bin/python -m bench.bench_dashboard [--practices 10000 --years 10 --requests 540
--rounds 3]`` — the rounds repeat the same requests, so that the report shows how far the ratio
moves between rounds on a shared machine. Prints the figures and writes
docs/benchmarks-dashboard.md; ``run()`` returns them.
``--reuse`` times the pages again on the previous run's database (filling takes minutes).
"""

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from bench.common import create_country, fresh_database

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks-dashboard.md"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/dash_bench"
LAST_YEAR = 2026
PROVINCES = ("GR", "FR", "DR", "OV", "FL", "GE", "UT", "NH", "ZH", "ZE", "NB", "LI")
PROVINCE_WEIGHTS = np.array([3.4, 3.7, 2.8, 6.7, 2.5, 12.1, 7.9, 16.6, 21.3, 2.2, 14.8, 6.3])
TABS = (
    "welkom",
    "patienten",
    "klachten",
    "behandelingen",
    "financien",
    "verzekeraars",
    "productiviteit",
    "kwaliteit",
    "trends",
)
GROUPS = ("landelijk", "regio", "netwerk")


# --- Child process --------------------------------------------------------------------------


def _windows(quarters: int) -> list[str]:
    return [f"Q{q}" for q in range(1, quarters + 1)] + [f"Q1-Q{q}" for q in range(2, quarters + 1)]


def _fill(practices: int, years: int, seed: int = 7) -> dict:
    """Practices, networks, one current import per practice and year, its stored KPI vectors."""
    from django.db import transaction

    from parabench.benchmark import layout
    from parabench.benchmark.catalogue import STORED_COLUMNS
    from parabench.benchmark.kpis import pack
    from parabench.benchmark.models import WindowValues
    from parabench.uploads.models import Import

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    province = rng.choice(PROVINCES, size=practices, p=PROVINCE_WEIGHTS / PROVINCE_WEIGHTS.sum())
    networks = max(1, practices // 25)
    network = np.where(rng.random(practices) < 0.6, rng.integers(0, networks, size=practices), -1)
    network[0] = 0  # the measured practice is in a network
    size = rng.lognormal(0, 0.5, size=practices)
    reference = rng.lognormal(3, 1, size=len(STORED_COLUMNS))
    with transaction.atomic():
        values_layout = layout.ensure(layout.values_names())
        practice_ids = create_country(province, network, networks)
        first = LAST_YEAR - years + 1
        moment = datetime(2020, 1, 1, tzinfo=UTC)
        Import.objects.bulk_create(
            [
                Import(
                    practice_id=pk,
                    certificate_fingerprint="ab" * 32,
                    status=Import.Status.IMPORTED,
                    uploaded_at=moment + timedelta(seconds=n),
                    imported_at=moment + timedelta(seconds=n + 1),
                    content_sha256=f"{year}-{n}".ljust(64, "0"),
                    body_path="bench",
                    body_size=1,
                    format_version="parabench-mi/1",
                    year=year,
                    period_begin=date(year, 1, 1),
                    period_end=date(year, 9, 30) if year == LAST_YEAR else date(year, 12, 31),
                    is_current=True,
                )
                for year in range(first, LAST_YEAR + 1)
                for n, pk in enumerate(practice_ids)
            ],
            batch_size=5000,
        )
        import_ids = {
            (practice, year): pk
            for pk, practice, year in Import.objects.values_list("pk", "practice_id", "year")
        }
        rows = 0
        for year in range(first, LAST_YEAR + 1):
            growth = 1 + 0.03 * (year - first)
            for window in _windows(3 if year == LAST_YEAR else 4):
                span = 1 if "-" not in window else int(window[-1])
                matrix = reference * rng.lognormal(0, 0.3, size=(practices, len(STORED_COLUMNS)))
                matrix[:, :4] *= (size * growth * span)[:, None]
                matrix[rng.random(matrix.shape) < 0.02] = np.nan
                WindowValues.objects.bulk_create(
                    [
                        WindowValues(
                            imp_id=import_ids[(pk, year)],
                            practice_id=pk,
                            year=year,
                            window=window,
                            values=pack(matrix[i]),
                            layout_id=values_layout,
                            counted=True,
                        )
                        for i, pk in enumerate(practice_ids)
                    ],
                    batch_size=5000,
                )
                rows += practices
    return {
        "fill_seconds": time.perf_counter() - started,
        "window_rows": rows,
        "practice_id": practice_ids[0],
    }


class _Timed:
    """ASGI wrapper: server time per request, from receiving it to the last body byte sent."""

    def __init__(self, app):
        self.app = app
        self.times: list[tuple[str, float]] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()

        async def timed_send(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.times.append((scope["path"], time.perf_counter() - started))

        return await self.app(scope, receive, timed_send)


def _serve(app):
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, sock.getsockname()[1]


def _connect_ms(url: str) -> float | None:
    """Median time to open a new database connection: part of the floor under ASGI."""
    if not url.startswith("postgres"):
        return None
    import psycopg

    times = []
    for _ in range(20):
        started = time.perf_counter()
        psycopg.connect(url).close()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000.0


def _percentile(values, p):
    return float(np.percentile(np.array(values), p)) * 1000.0


def _summary(values) -> dict:
    return {
        "n": len(values),
        "p50_ms": _percentile(values, 50),
        "p95_ms": _percentile(values, 95),
        "mean_ms": statistics.fmean(values) * 1000.0,
        "max_ms": max(values) * 1000.0,
    }


def child(
    url: str, practices: int, years: int, requests: int, reuse: bool = False, rounds: int = 3
) -> dict:
    os.environ["DATABASE_URL"] = url
    # Production settings: DEBUG off (no query log, no debug templates).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not reuse:
        fresh_database(url)
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)  # nanpercentile on empty small groups
    import django

    django.setup()
    import http.client

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from parabench.accounts.models import User
    from parabench.benchmark.models import WindowValues
    from parabench.benchmark.queries import TREND_KPIS
    from parabench.benchmark.recompute import recompute_all
    from parabench.practices.models import Practice
    from parabench.uploads.models import Import

    call_command("migrate", verbosity=0)
    # DEBUG off: the pages link the hashed names of the collected static files.
    call_command("collectstatic", "--noinput", verbosity=0)
    result = {"database": connection.vendor, "practices": practices, "years": years}
    result["load"] = os.getloadavg()[0]
    if reuse and Practice.objects.exists():
        # The data of an earlier run, as it is: only the page timings are new.
        result.update(
            practices=Practice.objects.count(),
            years=Import.objects.values("year").distinct().count(),
            window_rows=WindowValues.objects.count(),
            practice_id=Practice.objects.get(agb_code="04000000").pk,
            reused=True,
        )
        User.objects.filter(username="bench").delete()
    else:
        result.update(_fill(practices, years))
        started = time.perf_counter()
        report = recompute_all()
        result["recompute_seconds"] = time.perf_counter() - started
        if connection.vendor == "postgresql":
            # Planner statistics, as autovacuum would have gathered them a while after a load.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        result["group_rows"] = report["groups"]

    result["connect_ms"] = _connect_ms(url)
    result["pool"] = bool(settings.DATABASES["default"].get("OPTIONS", {}).get("pool"))
    practice_id = result.pop("practice_id")
    user = User.objects.create_user(username="bench", password="x" * 12)
    user.practice_id = practice_id
    user.save()
    imp = Import.objects.filter(practice_id=practice_id, year=LAST_YEAR).get()
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    connection.close()

    settings.ROOT_URLCONF = "bench.dashboard_urls"
    from parabench.asgi import application

    timed = _Timed(application)
    server, thread, port = _serve(timed)
    dashboard = f"/dashboard/{imp.pk}/"
    pages = [f"{dashboard}?groep={g}&tab={t}" for g in GROUPS for t in TABS]
    round_trips: dict[str, list[float]] = {"bare": [], "minimal": [], "dashboard": []}
    per_tab: dict[str, list[float]] = {tab: [] for tab in TABS}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def get(path):
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}: {body[:200]!r}")
            return elapsed, len(body)

        warm_up = pages[:9] + ["/bench/minimal/", "/bench/bare/"] * 9  # imports, caches
        for path in warm_up:
            get(path)
        timed.times.clear()
        sizes = {}
        boundaries = []  # where each round starts in timed.times
        for i in range(requests * rounds):
            if i % requests == 0:
                boundaries.append(len(timed.times))
            page = pages[i % len(pages)]
            if page.endswith("tab=trends"):  # Trends shows one KPI at a time: every one in turn
                page += f"&kengetal={TREND_KPIS[(i // len(pages)) % len(TREND_KPIS)]}"
            round_trips["bare"].append(get("/bench/bare/")[0])
            round_trips["minimal"].append(get("/bench/minimal/")[0])
            elapsed, sizes[page] = get(page)
            round_trips["dashboard"].append(elapsed)
        conn.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)

    # The same ratio per round: how much it moves on this machine from one round to the next.
    result["rounds"] = []
    for start, end in zip(boundaries, [*boundaries[1:], len(timed.times)], strict=True):
        part = timed.times[start:end]
        minimal_part = [t for path, t in part if path == "/bench/minimal/"]
        dashboard_part = [t for path, t in part if path == dashboard]
        result["rounds"].append(_percentile(dashboard_part, 95) / _percentile(minimal_part, 95))
    server_bare = [t for path, t in timed.times if path == "/bench/bare/"]
    server_minimal = [t for path, t in timed.times if path == "/bench/minimal/"]
    server_dashboard = [t for path, t in timed.times if path == dashboard]
    for i, t in enumerate(server_dashboard):
        per_tab[pages[i % len(pages)].rsplit("tab=", 1)[1].split("&")[0]].append(t)
    result["server"] = {
        "bare": _summary(server_bare),
        "minimal": _summary(server_minimal),
        "dashboard": _summary(server_dashboard),
    }
    result["round_trip"] = {name: _summary(values) for name, values in round_trips.items()}
    result["per_tab_p95_ms"] = {tab: _percentile(v, 95) for tab, v in per_tab.items() if v}
    result["per_tab_p50_ms"] = {tab: _percentile(v, 50) for tab, v in per_tab.items() if v}
    result["page_kib"] = {
        "smallest": min(sizes.values()) / 1024,
        "largest": max(sizes.values()) / 1024,
    }
    result["ratio_p95"] = (
        result["server"]["dashboard"]["p95_ms"] / result["server"]["minimal"]["p95_ms"]
    )
    result["ratio_p95_bare"] = (
        result["server"]["dashboard"]["p95_ms"] / result["server"]["bare"]["p95_ms"]
    )
    return result


# --- Parent ---------------------------------------------------------------------------------


def run(
    practices: int = 10_000,
    years: int = 10,
    requests: int = 540,
    url: str = POSTGRES_URL,
    reuse: bool = False,
    rounds: int = 3,
):
    """One child process on ``url``; writes docs/benchmarks-dashboard.md and returns the figures."""
    command = [
        sys.executable,
        "-m",
        "bench.bench_dashboard",
        "--child",
        "--url",
        url,
        "--practices",
        str(practices),
        "--years",
        str(years),
        "--requests",
        str(requests),
        "--rounds",
        str(rounds),
    ] + (["--reuse"] if reuse else [])
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench_dashboard child failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    result["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    DOC.write_text(markdown(result))
    return result


# Issue 7: the same data and command (``--reuse``) before and after each step, for the document.
BEFORE_AND_AFTER = (Path(__file__).parent / "dashboard_before_after.md").read_text()


def markdown(r: dict) -> str:
    s, rt = r["server"], r["round_trip"]
    verdict = "met" if r["ratio_p95"] <= 3 else "**not met**"
    if r["ratio_p95"] <= 3 and any(ratio > 3 for ratio in r.get("rounds", [])):
        verdict = "met over all rounds, **not in every round**"
    lines = [
        "# Benchmark: dashboard page time",
        "",
        "Written by `bench/bench_dashboard.py` (`.venv/bin/python -m bench.bench_dashboard`). "
        "See the module docstring for exactly what is measured.",
        "",
        f"- When: {r['when']}; machine: {r['machine']}; database: {r['database']}"
        + (
            ", connections from the psycopg pool (`DATABASE_POOL=1`)"
            if r.get("pool")
            else ", a new connection per request (no pool)"
        )
        + (f"; load average (1 min) before: {r['load']:.1f}" if r.get("load") else ""),
        f"- Scale: {r['practices']:,} practices × {r['years']} years = "
        f"{r['window_rows']:,} stored window rows; "
        + (
            "data of an earlier run reused (`--reuse`)"
            if r.get("reused")
            else f"recompute_all wrote {r['group_rows']:,} group statistics "
            f"(fill {r['fill_seconds']:.0f} s, "
            f"recompute {r['recompute_seconds']:.0f} s)"
        ),
        f"- Requests: {s['dashboard']['n']} dashboard pages (every tab × every group in turn; "
        "Trends with each of its KPIs in turn) "
        f"interleaved with {s['minimal']['n']} requests of each minimal view, one keep-alive "
        "connection, "
        "uvicorn on 127.0.0.1",
        f"- Page size: {r['page_kib']['smallest']:.0f}–{r['page_kib']['largest']:.0f} KiB "
        "of HTML with its inline SVG charts, as sent without compression (static files are "
        "separate and cached)",
        "",
        "| | p50 | p95 | mean | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, row in (
        ("bare view (no session), server", s["bare"]),
        ("minimal view (logged in), server", s["minimal"]),
        ("dashboard, server", s["dashboard"]),
        ("minimal view, round trip", rt["minimal"]),
        ("dashboard, round trip", rt["dashboard"]),
    ):
        lines.append(
            f"| {label} | {row['p50_ms']:.1f} ms | {row['p95_ms']:.1f} ms | "
            f"{row['mean_ms']:.1f} ms | {row['max_ms']:.1f} ms |"
        )
    lines += [
        "",
        f"**Dashboard p95 / minimal (logged-in) view p95, server time: {r['ratio_p95']:.1f}×** "
        f"(all rounds together; per round: "
        + ", ".join(f"{ratio:.1f}×" for ratio in r.get("rounds", []))
        + f") — target ≤ 3×: {verdict}. Against the bare view without session: "
        f"{r['ratio_p95_bare']:.1f}×. Absolute: the dashboard adds "
        f"{s['dashboard']['p95_ms'] - s['minimal']['p95_ms']:.1f} ms at p95 over the "
        "logged-in minimal view.",
        "",
        'The minimal view is `login_required` and returns "ok": it pays what every page of a '
        "logged-in practice pays (session and user lookup, the middleware stack on uvicorn). "
        "The bare view skips the session. For scale: opening a new PostgreSQL connection takes "
        + (f"{r['connect_ms']:.1f} ms" if r.get("connect_ms") else "—")
        + " here (median of 20). The machine is shared with other work while this runs, so "
        "single figures move by several milliseconds between runs.",
        "",
        "Server p50 / p95 per tab (all three groups): "
        + ", ".join(
            f"{tab} {r['per_tab_p50_ms'][tab]:.1f} / {ms:.1f} ms"
            for tab, ms in r["per_tab_p95_ms"].items()
        )
        + ".",
        "",
        BEFORE_AND_AFTER,
        "Where the time goes, and what would bring the ratio down: see the Performance section "
        "of docs/dashboard.md.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--requests", type=int, default=540, help="dashboard pages per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", default=POSTGRES_URL)
    parser.add_argument(
        "--reuse", action="store_true", help="time the pages on the data of the previous run"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child(args.url, args.practices, args.years, args.requests, args.reuse, args.rounds)
        print(json.dumps(result))
        return 0
    result = run(args.practices, args.years, args.requests, args.url, args.reuse, args.rounds)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
