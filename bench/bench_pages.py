"""Benchmark: what a practice PC's browser pays for a page — Lighthouse on every dashboard tab,
Profiel and the certificates page, in mobile emulation.

What it does:

1. Builds a small country through the real path (the export client's synthetic records →
   ``build_export`` → ``store_export`` → ``recompute_all``) in its own database (SQLite
   ``var/bench-pages.sqlite3`` by default; ``--reuse`` keeps the previous run's), with one user
   for the measured practice; its session cookie is made through Django's session engine.
2. Collects the static files (``collectstatic``: the production storage, compressed and hashed)
   and starts the portal as in production — uvicorn, ``DEBUG=0`` — on a free port.
3. Starts Debian's Chromium once and runs Lighthouse against it (the npm package, installed into
   ``.tools/node`` on first use; mobile emulation and simulated throttling, its defaults):
   a **first visit** of every page (empty cache: score, total blocking time, bytes transferred;
   the median of ``--runs`` runs, 3 by default, since a shared machine makes single runs jump),
   and a **further tab** of every page right after a visit of another tab (Lighthouse's
   ``--disable-storage-reset``: the browser's cache is kept, so only what is not cached counts).

Targets (issue 21): performance ≥ 0.95 and total blocking time ≤ 200 ms on every page, a first
visit ≤ 300 KB, a further tab ≤ 60 KB transferred (KB = 1,000 bytes).

Run: ``.venv/bin/python -m bench.bench_pages [--reuse] [--only welcome,profiel]``. Prints every
target with its verdict and writes docs/benchmarks-pages.md beside the figures before the change
(``bench/pages_before.json``, written once by ``--record-before`` on the plotly version).
"""

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from parabench.benchmark.catalogue import THEMES

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks-pages.md"
BEFORE = ROOT / "bench" / "pages_before.json"
NODE_DIR = ROOT / ".tools" / "node"
LIGHTHOUSE = NODE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
LIGHTHOUSE_VERSION = "13"
CHROMIUM = "/usr/bin/chromium"
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'bench-pages.sqlite3'}"
TODAY = date(2026, 10, 15)  # the current year's window is Q1–Q3 2026, as in the demo
# The dashboard's tabs by key (parabench.dashboard.presentation.TABS, which needs Django set up).
TABS = ("welcome", *(theme.key for theme in THEMES), "trends")
TARGETS = {"performance": 0.95, "tbt_ms": 200, "first_kb": 300, "further_kb": 60}
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def ensure_lighthouse() -> None:
    """Lighthouse from npm into .tools/node (gitignored), the first time only."""
    if LIGHTHOUSE.exists():
        return
    if shutil.which("npm") is None:
        sys.exit("npm ontbreekt: install Node.js (Debian: apt-get install -y npm).")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {NODE_DIR} …", flush=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
         f"lighthouse@{LIGHTHOUSE_VERSION}"],
        cwd=NODE_DIR,
        check=True,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The world and the server (production settings) -----------------------------------------


def production_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        # Plain HTTP on loopback, as behind the TLS-terminating proxy: production's redirect to
        # https (and HSTS) would send Chromium to TLS on this port (since issue 20).
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SECRET_KEY="bench-pages-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="parabench.settings",
        LOG_LEVEL="WARNING",
    )
    return env


def build_world(practices: int) -> None:
    """``practices`` practices in Zuid-Holland, a network of ten among them, two years each,
    every figure made by the real path; then the group statistics."""
    import django

    django.setup()
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)
    from django.core.management import call_command
    from django.db import transaction

    from parabench.benchmark.recompute import recompute_all
    from parabench.practices.models import Network, Practice
    from parabench_client.aggregate import build_export
    from parabench_client.records import load_records
    from parabench_client.synth import generate_records
    from tests.benchmark.factories import store_imported

    call_command("migrate", verbosity=0)
    network = Network.objects.create(number=7, name="Fysio Netwerk Groene Hart")
    moment = datetime(2026, 10, 15, 12, tzinfo=UTC)
    for n in range(practices):
        practice = Practice.objects.create(
            agb_code=f"0412{n:04d}",
            name=f"Fysiotherapie {n + 1}",
            city="Gouda",
            postcode="2801 AA",
            province="ZH",
            network=network if n < 10 else None,
        )
        with tempfile.TemporaryDirectory() as folder:
            generate_records(
                Path(folder),
                seed=100 + n,
                years=range(2025, 2027),
                today=TODAY,
                patients_per_year=150,
                province="ZH",
            )
            records = load_records(folder)
        for year in (2025, 2026):
            export = build_export(
                records, year, TODAY, agb_code=practice.agb_code, year_closed=year < 2026
            )
            with transaction.atomic():
                store_imported(practice, export, moment=moment, key=f"{practice.agb_code}-{year}")
    recompute_all()


def session_for_first_practice() -> tuple[str, int]:
    """A logged-in session of a user of the first practice: (cookie header, current import id)."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from parabench.accounts.models import User
    from parabench.practices.models import Practice
    from parabench.uploads.models import Import

    practice = Practice.objects.order_by("agb_code").first()
    user, _ = User.objects.get_or_create(username="bench-pages", defaults={"practice": practice})
    client = Client()
    client.force_login(user)
    imp = Import.objects.filter(practice=practice, year=2026).get()
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return cookie, imp.pk


def child(url: str, practices: int, reuse: bool) -> None:
    """Runs in its own process (Django reads DATABASE_URL once): world, static files, session."""
    os.environ.update(production_env(url))
    if not reuse or not Path(url.removeprefix("sqlite:///")).exists():
        from bench.common import fresh_database

        fresh_database(url)
        started = time.perf_counter()
        build_world(practices)
        print(f"world built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    cookie, import_id = session_for_first_practice()
    print(json.dumps({"cookie": cookie, "import_id": import_id}))


def start_portal(url: str, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "parabench.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT,
        env=production_env(url),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the portal did not start")


def start_chromium(port: int, profile: str) -> subprocess.Popen:
    chrome = subprocess.Popen(
        [CHROMIUM, *CHROME_FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
         "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return chrome
        except OSError:
            time.sleep(0.2)
    chrome.terminate()
    raise RuntimeError("chromium did not start")


# --- Lighthouse ---------------------------------------------------------------------------------


def log_in(chrome_port: int, base: str, cookie: str) -> None:
    """The session cookie into the browser's own cookie jar. Lighthouse's ``--extra-headers``
    Cookie is overruled by the jar as soon as the site has set any cookie (csrftoken), and
    Lighthouse leaves cookies alone between runs, so the jar is where the session belongs."""
    from playwright.sync_api import sync_playwright

    name, value = cookie.split("=", 1)
    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{chrome_port}")
        browser.contexts[0].add_cookies([{"name": name, "value": value, "url": base}])


def _resource(url: str) -> str:
    """A request by its file name (hashed names show the cache-busting); the page as such."""
    return url.split("?")[0].rsplit("/", 1)[-1] or "(the page)"


def lighthouse(url: str, chrome_port: int, warm: bool) -> dict:
    """One Lighthouse run (performance only) in the running Chromium; the figures we report."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            "node", str(LIGHTHOUSE), url, f"--port={chrome_port}", "--only-categories=performance",
            "--output=json", f"--output-path={report}", "--quiet",
        ]  # fmt: skip
        if warm:
            command.append("--disable-storage-reset")
        # Lighthouse now and then loses the trace on a busy machine (NO_NAVSTART): try again.
        for attempt in range(3):
            run = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM})
            if run.returncode == 0:
                break
            print(f"lighthouse failed on {url} (attempt {attempt + 1}), again", flush=True)
        else:
            raise RuntimeError(f"lighthouse failed three times on {url}")
        data = json.loads(report.read_text())
    audits = data["audits"]
    final = data.get("finalDisplayedUrl") or data.get("finalUrl")
    if "/inloggen/" in final:
        raise RuntimeError(f"{url}: sent to the login page, the session cookie was not accepted")
    requests = audits["network-requests"]["details"]["items"]
    return {
        "performance": data["categories"]["performance"]["score"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "si_ms": audits["speed-index"]["numericValue"],
        "bootup_ms": audits["bootup-time"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "requests": len(requests),
        "resources": {_resource(item["url"]): item.get("transferSize", 0) for item in requests},
    }


def pages(import_id: int) -> list[tuple[str, str]]:
    dashboard = f"/dashboard/{import_id}/"
    return [(tab, f"{dashboard}?groep=region&tab={tab}") for tab in TABS] + [
        ("profiel", "/profiel/"),
        ("certificaten", "/profiel/gegevens/"),
    ]


def next_of_kind(chosen: list[tuple[str, str]], name: str) -> tuple[str, str]:
    """The page opened after ``name`` as a further tab: a tab after a tab, a profile page after
    a profile page (cyclic)."""
    kind = [page for page in chosen if (page[0] in TABS) == (name in TABS)]
    at = [page[0] for page in kind].index(name)
    return kind[(at + 1) % len(kind)]


def median_run(runs: list[dict]) -> dict:
    """The run with the median score (then TBT), as Lighthouse advises for noisy machines; the
    spread of all runs rides along."""
    ordered = sorted(runs, key=lambda r: (r["performance"], -r["tbt_ms"]))
    chosen = dict(ordered[len(ordered) // 2])
    chosen["runs"] = [{"performance": r["performance"], "tbt_ms": r["tbt_ms"]} for r in runs]
    return chosen


def measure(base: str, cookie: str, import_id: int, only: set[str], runs: int = 3) -> dict:
    chosen = [(name, path) for name, path in pages(import_id) if not only or name in only]
    chrome_port = free_port()
    results = {}
    with tempfile.TemporaryDirectory() as profile:
        chrome = start_chromium(chrome_port, profile)
        try:
            log_in(chrome_port, base, cookie)
            # Each cold visit leaves the static files in the cache; the next page of the same
            # kind (the next dashboard tab; Profiel ↔ certificates) is then opened warm, as a
            # further tab.
            firsts, furthers = {}, {}
            # A fresh browser's first navigation pays its own start-up (compiling, caches,
            # fonts): one unrecorded run first, so that no page is charged for it.
            lighthouse(base + chosen[0][1], chrome_port, warm=False)
            for name, path in chosen:
                firsts[name] = median_run(
                    [lighthouse(base + path, chrome_port, warm=False) for _ in range(runs)]
                )
                following, following_path = next_of_kind(chosen, name)
                furthers[following] = lighthouse(base + following_path, chrome_port, warm=True)
                print(
                    f"{name:15} score {firsts[name]['performance']:.2f}  "
                    f"TBT {firsts[name]['tbt_ms']:6.0f} ms  "
                    f"first {firsts[name]['bytes'] / 1000:7.1f} KB  {following:15} further "
                    f"{furthers[following]['bytes'] / 1000:6.1f} KB",
                    flush=True,
                )
            for name, path in chosen:
                results[name] = {"path": path, "first": firsts[name], "further": furthers[name]}
        finally:
            chrome.terminate()
            chrome.wait(timeout=10)
    return results


# --- Verdicts and report --------------------------------------------------------------------


def verdicts(results: dict) -> list[tuple[str, str, bool]]:
    """(target, worst measured, met) for each target over every page."""
    if not results:
        return []
    worst_score = min(results.items(), key=lambda kv: kv[1]["first"]["performance"])
    worst_tbt = max(results.items(), key=lambda kv: kv[1]["first"]["tbt_ms"])
    worst_first = max(results.items(), key=lambda kv: kv[1]["first"]["bytes"])
    worst_further = max(results.items(), key=lambda kv: kv[1]["further"]["bytes"])
    return [
        (
            f"performance ≥ {TARGETS['performance']} on every page",
            f"lowest {worst_score[1]['first']['performance']:.2f} ({worst_score[0]})",
            worst_score[1]["first"]["performance"] >= TARGETS["performance"],
        ),
        (
            f"total blocking time ≤ {TARGETS['tbt_ms']} ms on every page",
            f"highest {worst_tbt[1]['first']['tbt_ms']:.0f} ms ({worst_tbt[0]})",
            worst_tbt[1]["first"]["tbt_ms"] <= TARGETS["tbt_ms"],
        ),
        (
            f"first visit ≤ {TARGETS['first_kb']} KB",
            f"largest {worst_first[1]['first']['bytes'] / 1000:.1f} KB ({worst_first[0]})",
            worst_first[1]["first"]["bytes"] <= TARGETS["first_kb"] * 1000,
        ),
        (
            f"a further tab ≤ {TARGETS['further_kb']} KB",
            f"largest {worst_further[1]['further']['bytes'] / 1000:.1f} KB ({worst_further[0]})",
            worst_further[1]["further"]["bytes"] <= TARGETS["further_kb"] * 1000,
        ),
    ]


def _cell(results: dict, name: str, visit: str, key: str) -> str:
    figures = results.get(name, {}).get(visit)
    if not figures:
        return "–"
    value = figures[key]
    if key == "performance":
        return f"{value:.2f}"
    if key == "bytes":
        return f"{value / 1000:,.1f}"
    return f"{value:,.0f}"


def _named(resources: dict) -> dict:
    """The page itself under one name (older records keyed it by its full address)."""
    return {("(the page)" if k.startswith("http") else k): v for k, v in resources.items()}


def spread(figures: dict) -> str:
    runs = figures.get("runs") or [figures]
    return ", ".join(f"{r['performance']:.2f} / {r['tbt_ms']:.0f}" for r in runs)


def write_report(results: dict, before: dict, meta: dict) -> None:
    lines = [
        "# Benchmark: page weight and Lighthouse performance (issue 21)",
        "",
        f"Written by `python -m bench.bench_pages` on {meta['date']}, {meta['machine']}; "
        f"Lighthouse {meta['lighthouse']}, Debian Chromium, mobile emulation with simulated "
        "throttling (Lighthouse's defaults), performance category only. The portal runs as in "
        "production (uvicorn, `DEBUG=0`, collected static files); the world is "
        f"{meta['practices']} practices built through the real export path, the region group "
        "compared. *First visit*: empty cache. *Further tab*: the same page again right after "
        "another page (cache kept). KB = 1,000 bytes transferred.",
        "",
        "## Verdicts",
        "",
        "| target | measured | verdict | before (plotly) |",
        "|---|---|---|---|",
    ]
    before_verdicts = {v[0]: v for v in verdicts(before)}
    for target, measured, met in verdicts(results):
        old = before_verdicts.get(target)
        lines.append(
            f"| {target} | {measured} | {'met' if met else '**not met**'} | "
            f"{old[1] + (' — met' if old[2] else ' — not met') if old else '–'} |"
        )
    lines += [
        "",
        "## Per page",
        "",
        "Before → after. Score and total blocking time (TBT) of the first visit (after: the "
        "median run of those listed in the last column; before: one run).",
        "",
        "| page | score | TBT ms | speed index ms | JS boot-up ms | first visit KB | "
        "further tab KB | requests | after: every run (score / TBT ms) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in results:

        def pair(visit, key, name=name):
            return f"{_cell(before, name, visit, key)} → {_cell(results, name, visit, key)}"

        lines.append(
            f"| {name} | {pair('first', 'performance')} | {pair('first', 'tbt_ms')} | "
            f"{pair('first', 'si_ms')} | {pair('first', 'bootup_ms')} | "
            f"{pair('first', 'bytes')} | {pair('further', 'bytes')} | "
            f"{pair('first', 'requests')} | {spread(results[name]['first'])} |"
        )
    sample = next(iter(results.values()), None)
    if sample:
        lines += [
            "",
            f"Resources of a first visit ({next(iter(results))}), bytes transferred:",
            "",
            "| resource | before | after |",
            "|---|---|---|",
        ]
        old = _named(next(iter(before.values()), {}).get("first", {}).get("resources", {}))
        new = _named(sample["first"]["resources"])
        for resource in sorted(set(old) | set(new)):
            lines.append(
                f"| `{resource}` | {old.get(resource, '–'):,} | {new.get(resource, '–'):,} |"
                if isinstance(old.get(resource), int) and isinstance(new.get(resource), int)
                else f"| `{resource}` | {old.get(resource, '–')} | {new.get(resource, '–')} |"
            )
    DOC.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--practices", type=int, default=24)
    parser.add_argument("--reuse", action="store_true", help="keep the previous run's world")
    parser.add_argument("--only", default="", help="comma-separated pages, e.g. welcome,profiel")
    parser.add_argument("--runs", type=int, default=3, help="first visits per page (median)")
    parser.add_argument(
        "--record-before", action="store_true", help=f"write the figures to {BEFORE.name}"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Stopped from outside: still stop the portal and the browser (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.child:
        child(args.database_url, args.practices, args.reuse)
        return 0
    ensure_lighthouse()
    prepared = subprocess.run(
        [sys.executable, "-m", "bench.bench_pages", "--child", "--database-url",
         args.database_url, "--practices", str(args.practices)]
        + (["--reuse"] if args.reuse else []),
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    session = json.loads(prepared.stdout.strip().splitlines()[-1])
    port = free_port()
    server = start_portal(args.database_url, port)
    try:
        only = {name for name in args.only.split(",") if name}
        results = measure(
            f"http://127.0.0.1:{port}", session["cookie"], session["import_id"], only, args.runs
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    version = subprocess.run(
        ["node", str(LIGHTHOUSE), "--version"], capture_output=True, text=True
    ).stdout.strip()
    cores = len(os.sched_getaffinity(0))
    meta = {
        "date": date.today().isoformat(),
        "machine": f"{platform.platform()}, Python {platform.python_version()}, {cores} cores",
        "lighthouse": version,
        "practices": args.practices,
    }
    if args.record_before:
        BEFORE.write_text(json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    before = json.loads(BEFORE.read_text())["results"] if BEFORE.exists() else {}
    print()
    all_met = True
    for target, measured, met in verdicts(results):
        all_met &= met
        print(f"{'MET' if met else 'NOT MET':8} {target}: {measured}")
    if not args.record_before and not only:
        write_report(results, before, meta)
        print(f"\nwritten: {DOC.relative_to(ROOT)}")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
