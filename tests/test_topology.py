"""The production topology (``parabench/topology.py``) as a whole: real nginx terminating mutual
TLS, two plain uploaders, two import workers and a statistics worker, on PostgreSQL.

Uploads go through nginx concurrently, each on a new TLS connection, while one import worker is
killed with SIGKILL in the middle of the imports (its process manager starts it again). Every
upload that got 202 must end imported exactly once: at most one "imported" task result per
upload, no upload rejected or left pending, and one counted export per practice and year.

PostgreSQL only: the topology refuses SQLite (one writer; ``make run`` is SQLite's home), so the
SQLite half of ``make test`` skips it and the PostgreSQL half runs it.
"""

import os
import signal
import socket
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from django.db import connection
from django_tasks_db.models import DBTaskResult

from parabench import topology
from parabench.benchmark.models import WindowValues
from parabench.benchmark.tasks import refresh_statistics
from parabench.uploads.importer import import_upload
from parabench.uploads.models import Import
from tests.factories import PracticeFactory
from tests.uploads.conftest import (  # noqa: F401  (fixtures)
    ROOT,
    ca_dir,
    child_env,
    client_files,
    test_ca,
    upload_storage,
    wait_for_port,
)
from tests.uploads.exports import export_bytes, make_export

pytestmark = pytest.mark.slow

PRACTICES = 24
UPLOADS_PER_PRACTICE = 3  # older and newer exports of one year: the counted one must be the newest


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _children(pid: int) -> dict[int, str]:
    """The supervisor's child processes (Linux /proc): pid → command line."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            found[int(child)] = cmdline.decode()
    return found


def _import_worker_pid(pid: int) -> int:
    return min(p for p, cmd in _children(pid).items() if "--queue-name default" in cmd)


@pytest.fixture
def running_topology(transactional_db, child_env, tmp_path):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("the production topology runs on PostgreSQL only")
    assert Path(topology.NGINX).exists(), "nginx is missing: run `make system-deps`"
    port, *app_ports = _free_ports(3)
    env = {
        **child_env,
        "UPLOADER_TRUSTED_PROXIES": "127.0.0.1",
        "UPLOAD_STATISTICS_DELAY_SECONDS": "1",
    }
    log_path = tmp_path / "topology.log"
    log = open(log_path, "wb")  # noqa: SIM115
    process = subprocess.Popen(
        topology.command(port=port, app_ports=app_ports, run_dir=tmp_path / "topology"),
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for each in (port, *app_ports):
            wait_for_port("127.0.0.1", each, timeout=60)
        yield process, f"https://127.0.0.1:{port}{topology.SERVICE}", log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_concurrent_workers_import_every_upload_exactly_once_when_one_is_killed(
    running_topology,
    client_files,  # noqa: F811
    settings,
):
    process, base, log_path = running_topology
    uploads = []
    for n in range(PRACTICES):
        practice = PracticeFactory()
        cert = client_files(practice, name=f"p{n}")
        document = make_export(practice.agb_code, patients=8, seed=n)
        moment = datetime.fromisoformat(document["exported_at"])
        for k in range(UPLOADS_PER_PRACTICE):
            exported_at = (moment - timedelta(minutes=k)).isoformat()
            uploads.append((cert, export_bytes({**document, "exported_at": exported_at})))

    def post(upload):
        cert, body = upload
        # No session: a new TCP and TLS connection for every upload, as practices make them.
        response = requests.post(
            f"{base}/exports",
            data=body,
            headers={"Content-Type": "application/json"},
            cert=cert,
            verify=str(settings.CA_CERT_PATH),
            timeout=60,
        )
        assert response.status_code == 202, response.text
        return response.json()["import_number"]

    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(post, uploads))
    assert len(set(numbers)) == len(uploads)

    # Kill an import worker while the imports are under way.
    victim = _import_worker_pid(process.pid)
    deadline = time.monotonic() + 120
    while Import.objects.filter(status=Import.Status.IMPORTED).count() < len(uploads) // 4:
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.05)
    os.kill(victim, signal.SIGKILL)
    killed_at = Import.objects.filter(status=Import.Status.IMPORTED).count()

    deadline = time.monotonic() + 180
    while Import.objects.exclude(status=Import.Status.IMPORTED).exists():
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)

    assert killed_at < len(uploads), "the worker was killed after all imports were done"
    # The supervisor says so when it next looks at its children: the other worker may have
    # finished every import before then (a full make test once read the log too early).
    deadline = time.monotonic() + 30
    while "killed by SIGKILL" not in log_path.read_text():
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.1)
    assert victim not in _children(process.pid)  # restarted under a new pid
    imports = Import.objects.filter(pk__in=numbers)
    assert imports.count() == len(uploads)
    assert set(imports.values_list("status", flat=True)) == {Import.Status.IMPORTED}
    imported_results = DBTaskResult.objects.filter(
        task_path=import_upload.module_path, status="SUCCESSFUL", return_value="imported"
    )
    # A batch imports the uploads it takes along under its own task (issue 18), so an upload's
    # own task may answer "already done": never twice means no second "imported" for an upload
    # and no window stored twice; never lost means every upload has its windows.
    per_import = Counter(r.args_kwargs["args"][0] for r in imported_results)
    assert set(per_import) <= set(numbers)
    assert max(per_import.values()) == 1, "an upload imported twice"
    rows = WindowValues.objects.filter(imp__in=numbers).values_list("imp_id", "window")
    assert len(rows) == len(set(rows)), "a window stored twice"
    assert {imp_id for imp_id, _window in rows} == set(numbers), "an upload never imported"
    for practice_id in {i.practice_id for i in imports}:
        counted = imports.filter(practice_id=practice_id, is_current=True)
        newest = imports.filter(practice_id=practice_id).order_by("-exported_at").first()
        assert list(counted) == [newest]

    # The statistics were refreshed by the statistics worker, in its own queue.
    deadline = time.monotonic() + 120
    refreshes = DBTaskResult.objects.filter(task_path=refresh_statistics.module_path)
    while not refreshes.filter(status="SUCCESSFUL").exists():
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    import_workers = {w for r in imported_results for w in r.worker_ids}
    statistics_workers = {w for r in refreshes.filter(status="SUCCESSFUL") for w in r.worker_ids}
    assert {r.queue_name for r in refreshes} == {"statistics"}
    assert statistics_workers and not statistics_workers & import_workers


def _nice(pid: int) -> int:
    """The process's nice value (field 19 of /proc/<pid>/stat, after the command in brackets)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


def _autogroup_nice(pid: int) -> int:
    """The nice of the scheduler's group of the process's session ("/autogroup-N nice M")."""
    return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])


def test_the_workers_yield_the_cpu_to_uploads_and_the_statistics_to_imports(running_topology):
    """An upload should not wait for the CPU; an import may lag a little, a national refresh
    more (docs/deployment.md)."""
    process, _base, log_path = running_topology
    children = _children(process.pid)
    statistics = [p for p, cmd in children.items() if "--queue-name statistics" in cmd]
    imports = [p for p, cmd in children.items() if "--queue-name default" in cmd]
    uploaders = [p for p, cmd in children.items() if "uploads" in cmd]
    assert len(statistics) == 1 and len(imports) == 2 and len(uploaders) == 2, children
    # A worker lowers its priority once Django is set up, just before it starts working; the
    # uploaders keep the priority they were started with (the tests' own: `nice make test` too).
    base = os.nice(0)
    lowered = {
        statistics[0]: min(19, base + topology.STATISTICS_NICE),
        **{pid: min(19, base + topology.IMPORT_NICE) for pid in imports},
    }
    deadline = time.monotonic() + 60
    while {pid: _nice(pid) for pid in lowered} != lowered:
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.1)
    assert lowered[statistics[0]] >= lowered[imports[0]] > base  # equal only when capped at 19
    assert {_nice(pid) for pid in uploaders} == {base}
    # Each process leads a session of its own, so with the kernel's autogroup the scheduler
    # shares the CPU between them by their groups' nice: a worker's own nice alone would
    # lower it against nothing (import_worker.lower_priority).
    if Path("/proc/self/autogroup").exists():
        assert {pid: _autogroup_nice(pid) for pid in lowered} == lowered
        assert {_autogroup_nice(pid) for pid in uploaders} == {0}
