"""`make run`: the complete system on its embedded default, in one terminal.

Prepares what a fresh checkout lacks (``var/``, the database, the CA, an operator and the demo
practices), then starts every process the system consists of — portal, mTLS uploader, import
worker — and stops them all on Ctrl-C, and only then. A process that dies is restarted with a
back-off and the reason is printed. On an empty ``var/`` a one-shot process fills the national
demo dataset through the real path (``manage.py fill_demo``); a restarted fill continues where it
was, later starts reuse it. Each process is a plain command, so the same pieces run separately
under a process manager in production.

``PARABENCH_DEMO_SIZE`` sets the number of demo practices (default 240); ``PARABENCH_DEMO=0``
skips the demo dataset.

A port that something else already listens on (typically the children of an earlier ``make run``
that is still running) stops the start with "port N in use" instead of restarting a server that
cannot bind for ever.
"""

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PORTAL_PORT = int(os.environ.get("PORTAL_PORT", "8000"))
UPLOADER_PORT = int(os.environ.get("UPLOADER_PORT", "8443"))
MANAGE_PY = Path(__file__).resolve().parent.parent / "manage.py"
DEMO_SIZE = int(os.environ.get("PARABENCH_DEMO_SIZE", "240"))
DEMO_SEED = 2026
WANT_DEMO = os.environ.get("PARABENCH_DEMO", "1") not in {"0", "false", "no"}


@dataclass
class Process:
    name: str
    argv: list[str]
    # A one-shot process (the demo filler) may end; the others must keep running.
    oneshot: bool = False
    # The loopback port it listens on: checked before every start (see ``port_in_use``).
    port: int | None = None


def processes() -> list[Process]:
    python = sys.executable
    return [
        Process(
            "portal",
            [
                python,
                "-m",
                "uvicorn",
                "parabench.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(PORTAL_PORT),
                "--log-level",
                "warning",
                # The portal is reached directly: no X-Forwarded-For is anyone's to believe
                # (uvicorn would otherwise take it from 127.0.0.1, i.e. from every local user).
                "--no-proxy-headers",
            ],
            port=PORTAL_PORT,
        ),
        # The uploader speaks mutual TLS itself; the worker imports what it accepted.
        Process(
            "uploader",
            [python, "-m", "parabench.uploads.server", "--port", str(UPLOADER_PORT)],
            port=UPLOADER_PORT,
        ),
        # Verbosity 0: failed tasks (with their traceback) and warnings, not a line per routine
        # task (every notification, refresh and sweep), which buried the rest of the log.
        Process(
            "worker", [python, str(MANAGE_PY), "import_worker", "--no-reload", "--verbosity", "0"]
        ),
        *(
            [
                Process(
                    "demo",
                    [
                        python,
                        str(MANAGE_PY),
                        "fill_demo",
                        "--size",
                        str(DEMO_SIZE),
                        "--seed",
                        str(DEMO_SEED),
                        "--uploader-url",
                        f"https://127.0.0.1:{UPLOADER_PORT}/ParabenchUploader/services",
                    ],
                    oneshot=True,
                )
            ]
            if WANT_DEMO
            else []
        ),
    ]


def prepare() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from parabench.backoffice import demo
    from parabench.certificates.lookup import ca_paths

    # The uploader's access log (one JSON line per request) goes to a file, not the terminal.
    log_dir = Path(settings.VAR_DIR) / "log"
    log_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("UPLOADER_ACCESS_LOG", str(log_dir / "uploader-access.log"))
    os.environ.setdefault("UPLOADER_ACCESS_LOG_ONLY", "1")
    call_command("migrate", interactive=False, verbosity=0)
    ca_paths()  # the uploader's TLS needs the CA before it starts
    call_command("reissue_crl", schedule=True, verbosity=0)
    demo.ensure_operator()
    if WANT_DEMO and not demo.is_filled():
        # Practices and logins at once; their exports follow in the background.
        demo.create_practices(DEMO_SIZE, DEMO_SEED)
    print()
    print("ParaBench draait / is running:")
    print(f"  Portaal / portal:    http://127.0.0.1:{PORTAL_PORT}/")
    print(f"  Backoffice:          http://127.0.0.1:{PORTAL_PORT}/backoffice/")
    print(f"  Uploader (mTLS):     https://127.0.0.1:{UPLOADER_PORT}/ParabenchUploader/services")
    for login in demo.demo_logins() if WANT_DEMO else demo.demo_logins()[:1]:
        print(f"  {login.role:<24} {login.username} / {login.password}")
    if WANT_DEMO and not demo.is_filled():
        print(f"  De demodataset ({DEMO_SIZE} praktijken) wordt nu via de echte route gevuld;")
        print("  de voortgang staat hieronder. / The demo dataset is being filled; see progress.")
    print("Stoppen / stop: Ctrl-C")
    print()


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something listens on ``port`` already: bind the way the servers do (SO_REUSEADDR,
    so connections of an earlier run still in TIME_WAIT do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def busy_port(specs: list[Process]) -> Process | None:
    """The first process whose port is taken by someone else, or None."""
    return next((p for p in specs if p.port is not None and port_in_use(p.port)), None)


def port_message(spec: Process) -> str:
    return (
        f"{spec.name}: poort {spec.port} is al in gebruik / port {spec.port} in use. "
        "Draait er nog een eerdere `make run`? Stop die (Ctrl-C), of kies een andere poort met "
        "PORTAL_PORT / UPLOADER_PORT. / Is an earlier `make run` still running? Stop it, or "
        "choose another port with PORTAL_PORT / UPLOADER_PORT. ParaBench stopt / stops."
    )


def exit_reason(returncode: int) -> str:
    """Why a child ended, in words: its exit code or the signal that killed it."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class Child:
    spec: Process
    popen: subprocess.Popen | None = None
    started: float = 0.0
    failures: int = 0  # consecutive short lives, for the back-off
    restart_at: float | None = None


def supervise(
    specs: list[Process], *, first_delay: float = 1.0, max_delay: float = 30.0, stable: float = 60.0
) -> int:
    """Run every process until Ctrl-C (SIGINT) or SIGTERM; nothing else stops the system.

    A process that ends is started again after a back-off (``first_delay``, doubling per
    consecutive failure up to ``max_delay``; a process that ran ``stable`` seconds starts from
    ``first_delay`` again), and the reason is printed. A one-shot process (the demo fill) that
    ends well is done; one that fails is restarted too and continues where it was.

    The one exception: a server whose port another process holds could never start, so instead
    of restarting it for ever everything stops with "port N in use" (exit code 1).
    """
    stopping = False
    busy = None

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    children = [Child(spec) for spec in specs]

    def start(child: Child) -> None:
        child.popen = subprocess.Popen(child.spec.argv, start_new_session=True)
        child.started = time.monotonic()
        child.restart_at = None

    busy = busy_port(specs)
    for child in children if busy is None else []:
        start(child)
    try:
        while not stopping and busy is None:
            now = time.monotonic()
            for child in list(children):
                if child.restart_at is not None:
                    if now >= child.restart_at:
                        if busy_port([child.spec]):
                            busy = child.spec
                            break
                        print(f"{child.spec.name}: opnieuw gestart / restarted.", flush=True)
                        start(child)
                    continue
                returncode = child.popen.poll()
                if returncode is None:
                    continue
                if child.spec.oneshot and returncode == 0:
                    children.remove(child)
                    continue
                child.failures = 1 if now - child.started >= stable else child.failures + 1
                delay = min(max_delay, first_delay * 2 ** (child.failures - 1))
                child.restart_at = now + delay
                print(
                    f"{child.spec.name} stopte / stopped ({exit_reason(returncode)}); "
                    f"herstart over / restarting in {delay:g} s.",
                    flush=True,
                )
            time.sleep(0.2)
        if busy is not None:
            print(port_message(busy), file=sys.stderr, flush=True)
    finally:
        running = [c.popen for c in children if c.popen is not None and c.popen.poll() is None]
        for popen in running:
            popen.terminate()
        deadline = time.monotonic() + 10
        for popen in running:
            try:
                popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
    return 0 if busy is None else 1


def main() -> int:
    specs = processes()
    busy = busy_port(specs)
    if busy is not None:  # before preparing anything: an earlier run may be using var/ as well
        print(port_message(busy), file=sys.stderr)
        return 1
    prepare()
    return supervise(specs)


if __name__ == "__main__":
    sys.exit(main())
