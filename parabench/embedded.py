"""`make run`: the complete system on its embedded default, in one terminal.

Prepares what a fresh checkout lacks (``var/``, the database, an operator and a demo practice),
then starts every process the system consists of and stops them all on Ctrl-C. Each process is a
plain command, so the same pieces run separately under a process manager in production.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PORTAL_PORT = int(os.environ.get("PORTAL_PORT", "8000"))
UPLOADER_PORT = int(os.environ.get("UPLOADER_PORT", "8443"))
MANAGE_PY = Path(__file__).resolve().parent.parent / "manage.py"


@dataclass
class Process:
    name: str
    argv: list[str]


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
            ],
        ),
        # The uploader speaks mutual TLS itself; the worker imports what it accepted.
        Process(
            "uploader",
            [python, "-m", "parabench.uploads.server", "--port", str(UPLOADER_PORT)],
        ),
        Process("worker", [python, str(MANAGE_PY), "import_worker", "--no-reload"]),
    ]


def prepare() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
    django.setup()
    from django.core.management import call_command

    from parabench.backoffice.bootstrap import ensure_demo_accounts

    call_command("migrate", interactive=False, verbosity=0)
    from parabench.certificates.lookup import ca_paths

    ca_paths()  # the uploader's TLS needs the CA before it starts
    accounts = ensure_demo_accounts()
    print()
    print("ParaBench draait / is running:")
    print(f"  Portaal / portal:    http://127.0.0.1:{PORTAL_PORT}/")
    print(f"  Backoffice:          http://127.0.0.1:{PORTAL_PORT}/backoffice/")
    print(f"  Uploader (mTLS):     https://127.0.0.1:{UPLOADER_PORT}/ParabenchUploader/services")
    for account in accounts:
        print(f"  {account.role:<20} {account.username} / {account.password}")
    print("Stoppen / stop: Ctrl-C")
    print()


def supervise(specs: list[Process]) -> int:
    children: list[tuple[Process, subprocess.Popen]] = []
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for spec in specs:
        children.append((spec, subprocess.Popen(spec.argv, start_new_session=True)))
    exit_code = 0
    try:
        while not stopping:
            for spec, child in children:
                if child.poll() is not None:
                    print(f"{spec.name} stopped with exit code {child.returncode}; stopping all.")
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.3)
    finally:
        for _spec, child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for _spec, child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    return exit_code


def main() -> int:
    prepare()
    return supervise(processes())


if __name__ == "__main__":
    sys.exit(main())
