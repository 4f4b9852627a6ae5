"""Benchmark: dashboard page server time at national scale, against a minimal Django view.

What it does (in a child process, because Django reads ``DATABASE_URL`` once per process):

1. Makes the database (PostgreSQL ``dash_bench`` on 127.0.0.1 by default, or
   ``BENCH_DASHBOARD_URL``) a copy of the national world of ``bench/national.py`` — the one the
   statistics and import benchmarks use: 10,000 practices over the 12 provinces and networks,
   stored KPI vectors per import and window (plausible random values), filled directly, **not**
   through uploads (what a page costs depends on the stored rows, not on how they got there).
   The filled world is kept as a template database (``--template``, or
   ``BENCH_DASHBOARD_TEMPLATE``; ``bm_national_tpl`` by default) and copied per run.
2. The engine's own ``recompute_all()`` writes every group statistic, exactly as after real
   imports, and ``ANALYZE`` gives the planner its statistics (as autovacuum would).
   ``--prepare`` stops here (no timing: run it outside the bench lock); ``--reuse`` then times
   the pages on that database.
3. Starts the portal on uvicorn (the server ``make run`` uses) on 127.0.0.1, a free port, with one
   extra URL: a minimal login-required view that returns "ok" through the same middleware.
4. Logs in one practice user and requests, interleaved, the minimal view and the dashboard of that
   practice's current import — every tab × every comparison group in turn (Trends with each of its
   KPIs in turn), in rounds. Server time is taken inside the server (an ASGI wrapper from the
   first byte of the request to the last byte of the response); the round trip seen by the client
   is reported too. Every request says it accepts gzip, as every browser does, so a page's
   server time includes its compression (the minimal views' "ok" is too short to compress).

5. Then 20 clients at once (issue 18), each logged in for its own randomly chosen practice, in
   rounds that alternate the minimal view, the bare view and the dashboards: nine rounds
   (``--concurrent-rounds``) of ten requests a client each. A round of the minimal view lasts
   about a second, so with three rounds one slow moment of a shared virtual machine decided its
   p95: the pooled ratio of the same code read 2.2–3.4× minutes apart (session 18). More, short,
   alternated rounds pool three times the requests of each kind into the same estimate.
   Before the rounds, untimed, each client asks once for each of its practice's pages and for
   both minimal views (session 22), as the one-client part warms up before it is timed.

Targets: dashboard p95 ≤ 2.5 × the minimal view's p95 with 20 concurrent clients (issue 18);
dashboard p95 ≤ 3 × the minimal view's p95, one client (issue 7).

Run: ``.venv/bin/python -m bench.bench_dashboard [--practices 10000 --years 10 --requests 540
--rounds 3]`` — the rounds repeat the same requests, so that the report shows how far the ratio
moves between rounds on a shared machine. Prints the figures and writes
docs/benchmarks-dashboard.md; ``run()`` returns them.
``--reuse`` times the pages again on the previous run's database (the recompute takes minutes).
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
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench import national
from bench.common import (
    Verdict,
    browser_headers,
    concurrent_gets_in_process,
    load_average,
    machine_probe,
    min_median,
    peak_rss_mb,
    probe_text,
    verdict_table,
)
from parabench.benchmark.catalogue import THEMES

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks-dashboard.md"
POSTGRES_URL = os.environ.get(
    "BENCH_DASHBOARD_URL", "postgres://postgres@127.0.0.1:5432/dash_bench"
)
# The filled national world (bench/national.py) this benchmark copies; ``--template`` (or this
# variable) names another, e.g. when someone with other migrations may rebuild the shared one.
TEMPLATE = os.environ.get("BENCH_DASHBOARD_TEMPLATE", national.TEMPLATE)
LAST_YEAR = national.LAST_YEAR
# The dashboard's tabs by key (parabench.dashboard.presentation.TABS, which needs Django set up).
TABS = ("welcome", *(theme.key for theme in THEMES), "trends")
GROUPS = ("national", "region", "network")


# --- Child process --------------------------------------------------------------------------


class _Timed:
    """ASGI wrapper: server time per request, from receiving it to the last body byte sent."""

    def __init__(self, app):
        self.app = app
        self.times: list[tuple[str, float]] = []
        # CPU seconds of this process per request (server threads and the one client, which
        # waits while the server works): what a page costs whatever else runs on the machine.
        self.cpu: list[tuple[str, float]] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, started_cpu = time.perf_counter(), time.process_time()

        async def timed_send(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.times.append((scope["path"], time.perf_counter() - started))
                self.cpu.append((scope["path"], time.process_time() - started_cpu))

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


def _measured_practice() -> int:
    """The practice of the one-client rounds: the first (by AGB code) in a network, so that every
    comparison group has figures."""
    from parabench.practices.models import Practice

    return (
        Practice.objects.filter(network__isnull=False)
        .order_by("agb_code")
        .values_list("pk", flat=True)[0]
    )


def portal_setup(url: str) -> None:
    """Django set up as the portal runs in production, on the database ``url``."""
    os.environ["DATABASE_URL"] = url
    # Production settings: DEBUG off (no query log, no debug templates).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    # Plain HTTP on loopback, as behind nginx: no redirect to https (that would be nginx's 301).
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)  # nanpercentile on empty small groups
    import django

    from parabench.env import prepared_statements_by_default

    # As the portal runs (parabench/asgi.py, which the benchmark imports after the settings).
    prepared_statements_by_default()
    django.setup()


def child(
    url: str,
    practices: int,
    years: int,
    requests: int,
    reuse: bool = False,
    rounds: int = 3,
    concurrent_requests: int = 10,
    template: str = TEMPLATE,
    prepare_only: bool = False,
    concurrent_rounds: int = 9,
) -> dict:
    portal_setup(url)
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

    prepared = {}
    if not reuse:
        # A fresh copy of the national world (stored vectors only: no statistics yet).
        prepared = national.national_database(url, practices, years, template)
    call_command("migrate", verbosity=0)
    # DEBUG off: the pages link the hashed names of the collected static files.
    call_command("collectstatic", "--noinput", verbosity=0)
    result = {"database": connection.vendor, "practices": practices, "years": years}
    result["load"] = os.getloadavg()[0]
    result["probe"] = machine_probe()
    if reuse and Practice.objects.exists():
        # The data of an earlier run, as it is: only the page timings are new.
        result.update(
            practices=Practice.objects.count(),
            years=Import.objects.values("year").distinct().count(),
            window_rows=WindowValues.objects.count(),
            practice_id=_measured_practice(),
            reused=True,
        )
        User.objects.filter(username="bench").delete()
    else:
        result.update(
            window_rows=WindowValues.objects.count(),
            practice_id=_measured_practice(),
            fill_seconds=prepared.get("fill_seconds"),
            copy_seconds=prepared.get("copy_seconds"),
        )
        started = time.perf_counter()
        report = recompute_all()
        result["recompute_seconds"] = time.perf_counter() - started
        if connection.vendor == "postgresql":
            # Planner statistics, as autovacuum would have gathered them a while after a load.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        result["group_rows"] = report["groups"]
    if prepare_only:
        result.pop("practice_id")
        return result

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
            conn.request("GET", path, headers=browser_headers(cookie))
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
        timed.cpu.clear()
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
        sequential = len(timed.times)
        result["concurrent"] = _concurrent(
            timed,
            port,
            _client_sessions(CLIENTS),
            concurrent_rounds,
            per_client=concurrent_requests,
        )
        # The one-client figures below are of the one-client rounds only (the CPU times of the
        # concurrent rounds overlap: each counts the other requests' threads too).
        del timed.times[sequential:]
        del timed.cpu[sequential:]
        connection.close()
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
    result["cpu"] = {
        name: _summary([t for p, t in timed.cpu if p == path])
        for name, path in (("minimal", "/bench/minimal/"), ("dashboard", dashboard))
    }
    result["cpu_ratio_p95"] = (
        result["cpu"]["dashboard"]["p95_ms"] / result["cpu"]["minimal"]["p95_ms"]
    )
    result["ratio_p95_bare"] = (
        result["server"]["dashboard"]["p95_ms"] / result["server"]["bare"]["p95_ms"]
    )
    result["peak_rss_mb"] = peak_rss_mb(os.getpid())
    result["load_after"] = load_average()
    return result


CLIENTS = 20  # issue 18: 20 concurrent clients over randomly chosen practices


def _client_sessions(count: int, seed: int = 18) -> list[tuple[str, int]]:
    """``count`` randomly chosen practices, each with a logged-in user of its own:
    ``(session cookie header, the practice's current import of LAST_YEAR)``."""
    import random

    from django.conf import settings
    from django.test import Client

    from parabench.accounts.models import User
    from parabench.uploads.models import Import

    imports = list(
        Import.objects.filter(year=LAST_YEAR, is_current=True).values_list("pk", "practice_id")
    )
    sessions = []
    for n, (import_id, practice_id) in enumerate(random.Random(seed).sample(imports, count)):
        User.objects.filter(username=f"bench-{n}").delete()
        user = User.objects.create_user(username=f"bench-{n}", password="x" * 12)
        user.practice_id = practice_id
        user.save()
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        sessions.append((f"{settings.SESSION_COOKIE_NAME}={cookie}", import_id))
    return sessions


def _concurrent(timed, port: int, sessions, rounds: int, per_client: int, seed: int = 18) -> dict:
    """All clients at once, in rounds that alternate the minimal view, the bare view and the
    dashboards (a random tab, group and Trends KPI of the client's own practice per request), so
    that load drift on the shared machine hits all three alike. Server times, per round."""
    import random

    from parabench.benchmark.queries import TREND_KPIS

    rng = random.Random(seed)
    kinds = ("minimal", "bare", "dashboard")
    rounds_ms = {kind: [] for kind in kinds}
    # Untimed, as the one-client part warms up: each client asks once for every page it may be
    # given (its practice's tabs × groups) and for both minimal views. Without it the first
    # dashboard round alone paid for what a running portal has long done — the first reads of
    # 20 practices' rows and the per-process caches of the groups' published parts — while the
    # minimal views had nothing cold left: a bias against the dashboard, not its cost.
    warm_up = [
        [(cookie, f"/dashboard/{import_id}/?groep={g}&tab={t}") for g in GROUPS for t in TABS]
        + [(cookie, "/bench/minimal/"), (cookie, "/bench/bare/")]
        for cookie, import_id in sessions
    ]
    failures = concurrent_gets_in_process(port, warm_up)
    if failures:
        raise RuntimeError(f"warm-up: {len(failures)} failed: {failures[:3]}")
    for _round in range(rounds):
        for kind in kinds:
            requests = []
            for cookie, import_id in sessions:
                paths = []
                for _ in range(per_client):
                    if kind != "dashboard":
                        paths.append(f"/bench/{kind}/")
                        continue
                    tab = rng.choice(TABS)
                    path = f"/dashboard/{import_id}/?groep={rng.choice(GROUPS)}&tab={tab}"
                    if tab == "trends":
                        path += f"&kengetal={rng.choice(TREND_KPIS)}"
                    paths.append(path)
                requests.append([(cookie, path) for path in paths])
            start = len(timed.times)
            failures = concurrent_gets_in_process(port, requests)
            if failures:
                raise RuntimeError(f"{len(failures)} failed: {failures[:3]}")
            rounds_ms[kind].append([t for _path, t in timed.times[start:]])
    everything = {kind: [t for part in parts for t in part] for kind, parts in rounds_ms.items()}
    per_round = [
        _percentile(dashboard, 95) / _percentile(minimal, 95)
        for dashboard, minimal in zip(rounds_ms["dashboard"], rounds_ms["minimal"], strict=True)
    ]
    per_round_bare = [
        _percentile(dashboard, 95) / _percentile(bare, 95)
        for dashboard, bare in zip(rounds_ms["dashboard"], rounds_ms["bare"], strict=True)
    ]
    return {
        "clients": len(sessions),
        "server": {kind: _summary(values) for kind, values in everything.items()},
        "ratio_p95": _percentile(everything["dashboard"], 95)
        / _percentile(everything["minimal"], 95),
        "ratio_p95_bare": _percentile(everything["dashboard"], 95)
        / _percentile(everything["bare"], 95),
        "rounds": per_round,
        "rounds_bare": per_round_bare,
    }


def concurrent_verdict(c: dict) -> Verdict:
    low, middle = min_median(c["rounds"])
    return Verdict(
        f"dashboard p95 ≤ 2.5× the logged-in minimal view, {c['clients']} concurrent clients",
        f"{c['ratio_p95']:.2f}× over all rounds (per round min {low:.2f}×, median "
        f"{middle:.2f}×; bare view: {c['ratio_p95_bare']:.2f}×)",
        c["ratio_p95"] <= 2.5,
    )


# --- Parent ---------------------------------------------------------------------------------


def run(
    practices: int = 10_000,
    years: int = 10,
    requests: int = 540,
    url: str = POSTGRES_URL,
    reuse: bool = False,
    rounds: int = 3,
    template: str = TEMPLATE,
    concurrent_rounds: int = 9,
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
        "--template",
        template,
        "--concurrent-rounds",
        str(concurrent_rounds),
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


def sequential_verdict(r: dict) -> Verdict:
    low, middle = min_median(r["rounds"])
    return Verdict(
        "dashboard p95 ≤ 3× the logged-in minimal view, one client (issue 7)",
        f"{r['ratio_p95']:.2f}× (per round min {low:.2f}×, median {middle:.2f}×; bare view "
        f"{r['ratio_p95_bare']:.2f}×)",
        r["ratio_p95"] <= 3,
    )


def markdown(r: dict) -> str:
    s, rt = r["server"], r["round_trip"]
    verdict = sequential_verdict(r).word
    c = r["concurrent"]
    lines = [
        "# Benchmark: dashboard page time",
        "",
        *verdict_table([concurrent_verdict(c), sequential_verdict(r)]),
        "",
        f"**{c['clients']} concurrent clients** (issue 18), each logged in for its own randomly "
        "chosen practice, in rounds that alternate the logged-in minimal view, the bare view and "
        "the dashboards (a random tab, group and Trends KPI per request); the clients run in a "
        "process of their own. Before the rounds, untimed, each client asked once for each of its "
        "practice's pages and for both minimal views (a warm-up, as before the one-client part). "
        "Server time:",
        "",
        "| | p50 | p95 | mean | max |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {kind} ({row['n']} requests) | {row['p50_ms']:.1f} ms | {row['p95_ms']:.1f} ms "
            f"| {row['mean_ms']:.1f} ms | {row['max_ms']:.1f} ms |"
            for kind, row in c["server"].items()
        ),
        "",
        "Dashboard p95 ÷ minimal p95 per round: "
        + ", ".join(f"{x:.2f}×" for x in c["rounds"])
        + "; ÷ bare p95 per round: "
        + ", ".join(f"{x:.2f}×" for x in c["rounds_bare"])
        + f". Load average {r.get('load', 0):.1f} before, {r.get('load_after', 0):.1f} after; "
        f"peak RSS of the server process (fill, recompute and the portal): "
        f"{r.get('peak_rss_mb', 0):.0f} MB.",
        "",
        "## One client at a time",
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
        + (f"; load average (1 min) before: {r['load']:.1f}" if r.get("load") else "")
        + (f"; machine probe: {probe_text(r['probe'])}" if r.get("probe") else ""),
        f"- Scale: {r['practices']:,} practices × {r['years']} years = "
        f"{r['window_rows']:,} stored window rows; "
        + (
            "data of an earlier run reused (`--reuse`)"
            if r.get("reused")
            else f"recompute_all wrote {r['group_rows']:,} group statistics "
            + (
                f"(fill {r['fill_seconds']:.0f} s, "
                if r.get("fill_seconds") is not None
                else f"(copied from the filled template in {r['copy_seconds']:.0f} s, "
            )
            + f"recompute {r['recompute_seconds']:.0f} s)"
        ),
        f"- Requests: {s['dashboard']['n']} dashboard pages (every tab × every group in turn; "
        "Trends with each of its KPIs in turn) "
        f"interleaved with {s['minimal']['n']} requests of each minimal view, one keep-alive "
        "connection, "
        "uvicorn on 127.0.0.1",
        f"- Page size: {r['page_kib']['smallest']:.0f}–{r['page_kib']['largest']:.0f} KiB "
        "of HTML with its inline SVG charts, gzip-compressed as sent to a browser: every "
        "request asks for it as browsers do (`Accept-Encoding`), so the server time includes "
        "the compression (static files are separate and cached)",
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
        f"CPU time of the server process per request (insensitive to other work on the machine; "
        f"the database server's own CPU is not in it): minimal view "
        f"{r['cpu']['minimal']['p50_ms']:.1f} / {r['cpu']['minimal']['p95_ms']:.1f} ms, dashboard "
        f"{r['cpu']['dashboard']['p50_ms']:.1f} / {r['cpu']['dashboard']['p95_ms']:.1f} ms "
        f"(p50 / p95); **ratio of p95: {r['cpu_ratio_p95']:.1f}×**.",
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
    parser.add_argument(
        "--concurrent-rounds", type=int, default=9, help="alternated rounds of the 20 clients"
    )
    parser.add_argument("--url", default=POSTGRES_URL)
    parser.add_argument(
        "--reuse", action="store_true", help="time the pages on the data of the previous run"
    )
    parser.add_argument("--template", default=TEMPLATE, help="the filled national world to copy")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="only copy the world and recompute its statistics (no timing: run it outside the "
        "bench lock, then time with --reuse)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.prepare:
        result = child(
            args.url,
            args.practices,
            args.years,
            args.requests,
            args.reuse,
            args.rounds,
            template=args.template,
            prepare_only=args.prepare,
            concurrent_rounds=args.concurrent_rounds,
        )
        print(json.dumps(result))
        return 0
    result = run(
        args.practices,
        args.years,
        args.requests,
        args.url,
        args.reuse,
        args.rounds,
        args.template,
        args.concurrent_rounds,
    )
    print(markdown(result))
    for check in (concurrent_verdict(result["concurrent"]), sequential_verdict(result)):
        check.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
