"""``make run``'s supervisor: a child that dies is restarted with a back-off and the reason is
printed; only Ctrl-C stops the system. Real processes, real signals."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from parabench.embedded import exit_reason

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _wait_until(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


@pytest.fixture
def supervisor(tmp_path):
    """``supervise`` over three children: one that crashes twice before it stays up, one that
    keeps running (and writes its pid), and a one-shot that fails once, then finishes."""
    flaky, steady, oneshot = (tmp_path / name for name in ("flaky", "steady", "oneshot"))
    child = (
        "import os, sys, time; log = sys.argv[1]; "
        "open(log, 'a').write(f'{os.getpid()}\\n'); "
        "starts = len(open(log).read().split()); "
        "sys.exit(3) if starts <= int(sys.argv[2]) else None; "
        "time.sleep(float(sys.argv[3]))"
    )
    script = textwrap.dedent(
        f"""
        import sys
        from parabench.embedded import Process, supervise
        child = {child!r}
        run = lambda log, failures, seconds: [sys.executable, "-c", child, log, failures, seconds]
        sys.exit(supervise(
            [
                Process("flaky", run({str(flaky)!r}, "2", "600")),
                Process("steady", run({str(steady)!r}, "0", "600")),
                Process("demo", run({str(oneshot)!r}, "1", "0"), oneshot=True),
            ],
            first_delay=0.2, max_delay=1, stable=5,
        ))
        """
    )
    process, output = _supervise(script, tmp_path)
    yield process, flaky, steady, oneshot, output
    if process.poll() is None:
        process.kill()
        process.wait()
    for log in (flaky, steady):
        for pid in _lines(log):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (dead, not yet reaped) counts as gone.
    return "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_a_dead_child_is_restarted_with_its_reason_and_only_ctrl_c_stops_everything(supervisor):
    process, flaky, steady, oneshot, output = supervisor

    # Two crashes, two restarts with back-off; the third start stays up.
    assert _wait_until(lambda: len(_lines(flaky)) == 3), output.read_text()
    # The one-shot failed once, was started again and then ended well: not started a third time.
    assert _wait_until(lambda: len(_lines(oneshot)) == 2)
    text = output.read_text()
    assert text.count("flaky stopte / stopped (exit code 3)") == 2
    assert "demo stopte / stopped (exit code 3)" in text
    assert "steady stopte" not in text

    # kill -9 of a running child: restarted, the others untouched, the supervisor goes on.
    (steady_pid,) = map(int, _lines(steady))
    flaky_pid = int(_lines(flaky)[-1])
    os.kill(steady_pid, signal.SIGKILL)
    assert _wait_until(lambda: len(_lines(steady)) == 2), output.read_text()
    assert "steady stopte / stopped (killed by SIGKILL)" in output.read_text()
    assert _alive(flaky_pid) and process.poll() is None
    time.sleep(1.5)
    assert len(_lines(oneshot)) == 2

    # Ctrl-C ends the supervisor and every child.
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    for pid in (flaky_pid, int(_lines(steady)[-1])):
        assert _wait_until(lambda pid=pid: not _alive(pid), timeout=10)


def test_exit_reasons_name_the_signal():
    assert exit_reason(-signal.SIGKILL) == "killed by SIGKILL"
    assert exit_reason(1) == "exit code 1"


def _supervise_a_server(tmp_path, port: int):
    """``supervise`` over a "server" on ``port`` (it only logs its pid and sleeps) and a steady
    neighbour."""
    server, steady = tmp_path / "server", tmp_path / "steady"
    child = (
        "import os, sys, time; open(sys.argv[1], 'a').write(f'{os.getpid()}\\n'); time.sleep(600)"
    )
    script = textwrap.dedent(
        f"""
        import sys
        from parabench.embedded import Process, supervise
        run = lambda log: [sys.executable, "-c", {child!r}, log]
        sys.exit(supervise(
            [
                Process("server", run({str(server)!r}), port={port}),
                Process("steady", run({str(steady)!r})),
            ],
            first_delay=0.2, max_delay=1, stable=5,
        ))
        """
    )
    process, output = _supervise(script, tmp_path)
    return process, server, steady, output


def _stop(process, *logs):
    if process.poll() is None:
        process.kill()
        process.wait()
    for log in logs:
        for pid in _lines(log):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


def test_a_port_held_by_an_earlier_run_stops_the_start_with_a_clear_message(tmp_path):
    stale = _listening_socket_on(0)  # what a still-running earlier `make run` holds
    port = stale.getsockname()[1]
    process, server, steady, output = _supervise_a_server(tmp_path, port)
    try:
        assert process.wait(timeout=30) == 1, output.read_text()
        assert f"port {port} in use" in output.read_text()
        assert _lines(server) == [] and _lines(steady) == []  # nothing was started
    finally:
        stale.close()
        _stop(process, server, steady)


def test_a_port_taken_while_running_stops_everything_instead_of_endless_restarts(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process, server, steady, output = _supervise_a_server(tmp_path, port)
    stale = None
    try:
        assert _wait_until(lambda: len(_lines(server)) == 1 and len(_lines(steady)) == 1)
        stale = _listening_socket_on(port)  # someone else takes the port meanwhile
        os.kill(int(_lines(server)[0]), signal.SIGKILL)
        assert process.wait(timeout=30) == 1, output.read_text()
        text = output.read_text()
        assert "server stopte / stopped (killed by SIGKILL)" in text
        assert f"port {port} in use" in text
        assert len(_lines(server)) == 1  # never restarted into a port it cannot have
        (steady_pid,) = map(int, _lines(steady))
        assert _wait_until(lambda: not _alive(steady_pid), timeout=10)
    finally:
        if stale is not None:
            stale.close()
        _stop(process, server, steady)


def _listening_socket_on(port: int):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1)
    return sock


def _supervise(script: str, tmp_path):
    """The supervisor of ``script`` in a process of its own, its output in a file."""
    output = tmp_path / "supervisor.out"
    with open(output, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, output
