"""Pieces every benchmark script shares."""

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fresh_database(url: str) -> None:
    """An empty database at ``url``: SQLite files removed, PostgreSQL dropped and created.

    ``WITH (FORCE)`` because a pooled connection of an earlier run may still hold the database.
    """
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_environment(url: str, work: Path, **extra: str) -> dict:
    """The environment of a benchmark's Django processes: its database, and a CA, server
    certificate and upload storage of its own under ``work`` (never the developer's var/)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="parabench.settings",
        LOG_LEVEL="WARNING",
        CA_CERT_PATH=str(work / "ca" / "ca.pem"),
        CA_KEY_PATH=str(work / "ca" / "ca.key"),
        CA_CRL_PATH=str(work / "ca" / "crl.pem"),
        CA_TRUST_BUNDLE_PATH=str(work / "ca" / "trusted-clients.pem"),
        ACCEPTANCE_CA_CERT_PATH=str(work / "ca-acceptatie" / "ca.pem"),
        ACCEPTANCE_CA_KEY_PATH=str(work / "ca-acceptatie" / "ca.key"),
        CA_AUTO_CREATE="1",
        UPLOAD_STORAGE_DIR=str(work / "uploads"),
        UPLOADER_TLS_CERT_PATH=str(work / "server" / "server.pem"),
        UPLOADER_TLS_KEY_PATH=str(work / "server" / "server.key"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def fresh_django(env: dict, work: Path) -> None:
    """This process on ``env``: an empty ``work`` folder and database, Django set up, migrated."""
    import shutil

    os.environ.update(env)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    fresh_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def start_uploader(env: dict, work: Path) -> tuple[subprocess.Popen, int]:
    """The embedded mTLS uploader (``python -m parabench.uploads.server``) on a free port."""
    port_file = work / "uploader.port"
    port_file.unlink(missing_ok=True)
    # BENCH_UPLOADER_PORT: a fixed port (a shared machine gives each engineer a range).
    port = os.environ.get("BENCH_UPLOADER_PORT", "0")
    process = subprocess.Popen(
        [sys.executable, "-m", "parabench.uploads.server", "--port", port]
        + ["--port-file", str(port_file)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "uploader.log", "wb"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"uploader did not start: {(work / 'uploader.log').read_text()}")
        time.sleep(0.05)
    time.sleep(0.3)
    return process, int(port_file.read_text())


def create_country(province, network, networks: int) -> list[int]:
    """Networks 1…``networks`` and one practice per entry of ``province`` (``network[i]`` is its
    network index, or negative for none); returns the practice ids in AGB order.

    Runs inside the caller's transaction; the caller has set Django up.
    """
    from parabench.practices.models import Network, Practice

    Network.objects.bulk_create(
        [Network(number=i + 1, name=f"Netwerk {i + 1}") for i in range(networks)],
        batch_size=5000,
    )
    network_ids = dict(Network.objects.values_list("number", "pk"))
    Practice.objects.bulk_create(
        [
            Practice(
                agb_code=f"04{i:06d}",
                name=f"Praktijk {i}",
                province=str(province[i]),
                network_id=None if network[i] < 0 else network_ids[int(network[i]) + 1],
            )
            for i in range(len(province))
        ],
        batch_size=5000,
    )
    return list(Practice.objects.order_by("agb_code").values_list("pk", flat=True))


def national_baseline(practices: int, year: int) -> dict:
    """``practices`` practices (AGB 05…) with one imported export of ``year`` each and the full
    statistics of it: the national data a benchmark runs against, filled in bulk (not the path
    timed). The caller has set Django up.

    Every practice's export is the same synthetic export under its own AGB code, so its KPI rows
    are worked out once and written for all, through the importer's own batch pieces
    (``mark_current`` and ``store_rows`` of 2,000 imports at a time). Storing them one import at
    a time (``store_imported``) took 134 s on SQLite and 187 s on PostgreSQL, a fifth of
    ``make bench`` (30 November 2026); the rows are the same.
    """
    from django.db import transaction
    from django.utils import timezone

    from parabench.benchmark.ingest import export_rows, store_rows
    from parabench.benchmark.recompute import recompute_all
    from parabench.practices.models import Practice
    from parabench.practices.provinces import Province
    from parabench.uploads.importer import mark_current
    from parabench.uploads.models import Import
    from parabench_format import Export
    from parabench_format.models import export_document
    from tests.benchmark.factories import imported_upload
    from tests.uploads.exports import make_export

    provinces = [p.value for p in Province]
    started = time.perf_counter()
    now = timezone.now()
    export = Export.model_validate_json(json.dumps(make_export("05000000", year=year, patients=40)))
    # The same for every practice: nothing in them depends on the AGB.
    rows = export_rows(export_document(export))
    Practice.objects.bulk_create(
        [
            Practice(
                agb_code=f"05{n:06d}",
                name=f"Bench {n}",
                province=provinces[n % len(provinces)],
                postcode="",
            )
            for n in range(practices)
        ],
        batch_size=2000,
    )
    # In the model's order, as the imports were numbered before (the statistics' rows follow it).
    in_order = list(Practice.objects.filter(agb_code__startswith="05"))
    with transaction.atomic():
        for first in range(0, len(in_order), 2000):
            imports = Import.objects.bulk_create(
                imported_upload(practice, export, moment=now, key=f"baseline-{practice.pk}")
                for practice in in_order[first : first + 2000]
            )
            mark_current(imports)
            store_rows([(imp, rows) for imp in imports])
    fill_seconds = time.perf_counter() - started
    started = time.perf_counter()
    recompute_all()
    return {
        "baseline_fill_seconds": fill_seconds,
        "baseline_recompute_seconds": time.perf_counter() - started,
    }


# --- Fair measurement: verdicts, alternated rounds, load, memory ------------------------------


def load_average() -> float:
    """The 1-minute load average: other work on the (shared) machine slows every figure."""
    return os.getloadavg()[0]


PROBE_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def python_loop(steps: int = 200_000) -> None:
    """The fixed pure-Python work whose time says how fast the machine is at the moment (the
    probe's, and ``bench.machine_speed``'s with half the steps)."""
    sum(i * i for i in range(steps))


def machine_probe(database_url: str = PROBE_DATABASE_URL) -> dict:
    """How fast this machine is at the moment: a pure-Python loop (ms, the best of 5), a system
    call (``os.stat``, µs, median of 2,000) and a prepared ``SELECT 1`` round trip to PostgreSQL
    (µs, median of 300; None when it cannot be reached).

    Why: the machine is a virtual machine whose speed changed threefold between two sessions of
    the same day (30 November 2026: a ``SELECT 1`` 107–124 µs, session 9's runs far faster), and
    the load average does not show that. A report's absolute figures (uploads/s, seconds) are
    only comparable with another's next to these three numbers.
    """
    loops = []
    for _ in range(5):
        started = time.perf_counter()
        python_loop()
        loops.append((time.perf_counter() - started) * 1000)
    stats = []
    for _ in range(2000):
        started = time.perf_counter()
        os.stat("/")
        stats.append((time.perf_counter() - started) * 1e6)
    round_trip = None
    try:
        import psycopg

        with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as connection:
            trips = []
            for _ in range(300):
                started = time.perf_counter()
                connection.execute("SELECT 1", prepare=True).fetchone()
                trips.append((time.perf_counter() - started) * 1e6)
            round_trip = statistics.median(trips[20:])
    except Exception:  # noqa: BLE001  (a probe: no database is an answer too)
        round_trip = None
    return {
        "python_loop_ms": min(loops),
        "stat_us": statistics.median(stats),
        "select1_us": round_trip,
    }


def probe_text(probe: dict) -> str:
    """The probe's three figures in one phrase, for a report and the table of runs."""
    select1 = "–" if probe["select1_us"] is None else f"{probe['select1_us']:.0f} µs"
    return (
        f"Python loop {probe['python_loop_ms']:.1f} ms, os.stat {probe['stat_us']:.1f} µs, "
        f"SELECT 1 {select1}"
    )


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB: resident now, and the peak since it started."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        fields[key] = value
    return tuple(int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))


def peak_rss_mb(pid: int) -> float:
    return memory_mb(pid)[1]


def process_tree(pid: int) -> dict[int, str]:
    """``pid`` and all its descendants (Linux /proc): pid → command line."""
    found, todo = {}, [pid]
    while todo:
        current = todo.pop()
        try:
            cmdline = Path(f"/proc/{current}/cmdline").read_bytes()
            found[current] = cmdline.replace(b"\0", b" ").decode().strip()
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_backends_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of every PostgreSQL backend serving ``database`` (pid → seconds).

    The pools keep their connections for the whole run, so the difference of two readings is
    the database's own CPU for this topology; a backend that ended in between is missed.
    """
    used = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if cmd.startswith("postgres: ") and f" {database} " in cmd:
                used[int(entry.name)] = cpu_seconds(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return used


def cpu_of_tree(pid: int, name=lambda cmd: cmd) -> dict[str, float]:
    """CPU seconds used so far by every process under ``pid``, summed by ``name(command)``."""
    used = {}
    for child, cmd in process_tree(pid).items():
        try:
            used[name(cmd)] = used.get(name(cmd), 0.0) + cpu_seconds(child)
        except FileNotFoundError:
            continue
    return used


def peak_rss_of_tree(pid: int, name=lambda cmd: cmd) -> dict[str, float]:
    """Peak RSS (MB) of every process under ``pid``, by ``name(command line)``; read it before
    the processes end."""
    peaks = {}
    for child, cmd in process_tree(pid).items():
        try:
            peaks[f"{name(cmd)} ({child})"] = peak_rss_mb(child)
        except FileNotFoundError:
            continue
    return peaks


@dataclass
class Verdict:
    """One target of an issue, what was measured and whether it is met."""

    target: str
    measured: str
    met: bool

    @property
    def word(self) -> str:
        return "met" if self.met else "NOT MET"

    def print(self) -> "Verdict":
        print(f"TARGET {self.target}: {self.measured} -> {self.word}", flush=True)
        return self

    def row(self) -> str:
        return f"| {self.target} | {self.measured} | **{self.word}** |"


def verdict_table(verdicts: list[Verdict]) -> list[str]:
    return ["| target | measured | verdict |", "|---|---|---|", *(v.row() for v in verdicts)]


def min_median(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


# --- Concurrent page load (a client process of its own) -------------------------------------


def browser_headers(cookie: str) -> dict[str, str]:
    """A logged-in browser's page request: its session cookie, and the compression every browser
    asks for (Chromium's ``Accept-Encoding``): the portal compresses pages for it, and that is
    part of what a page costs the server."""
    return {"Cookie": cookie, "Accept-Encoding": "gzip, deflate, br, zstd"}


def concurrent_gets(port: int, requests: list[list[tuple[str, str]]]) -> list[str]:
    """One thread per list in ``requests`` (each a client with its own keep-alive connection)
    GETs its ``(cookie, path)`` pairs in turn; returns the failures. Run it in a process apart
    from the server's (``python -m bench.common SPEC``), so that the clients do not take the
    server's interpreter lock and inflate its times."""
    import http.client
    import threading

    failures, lock = [], threading.Lock()

    def run(pairs):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for cookie, path in pairs:
            connection.request("GET", path, headers=browser_headers(cookie))
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                with lock:
                    failures.append(f"{path}: HTTP {response.status}")
        connection.close()

    threads = [threading.Thread(target=run, args=(pairs,)) for pairs in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def concurrent_gets_in_process(port: int, requests: list[list[tuple[str, str]]]) -> list[str]:
    """``concurrent_gets`` in a child process (see there why)."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"port": port, "requests": requests}, spec)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.common", spec.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(spec.name).unlink()
    return json.loads(done.stdout)


if __name__ == "__main__":
    spec = json.loads(Path(sys.argv[1]).read_text())
    print(json.dumps(concurrent_gets(spec["port"], spec["requests"])))


def child_json(module: str, *args) -> dict:
    """Run ``python -m module args`` from the repository and read the JSON of its last output
    line: each measurement in a fresh process, so one side's caches never help the other."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench child {module} {args} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
