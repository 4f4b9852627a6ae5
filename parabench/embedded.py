"""`make run`: the complete system on its embedded default, in one terminal.

Prepares what a fresh checkout lacks (``var/``, the database, the CA, an operator and the demo
practices), then starts every process the system consists of — portal, mTLS uploader, import
worker — and stops them all on Ctrl-C. On an empty ``var/`` a one-shot process fills the national
demo dataset through the real path (``manage.py fill_demo``); later starts reuse it. Each process
is a plain command, so the same pieces run separately under a process manager in production.

``PARABENCH_DEMO_SIZE`` sets the number of demo practices (default 240); ``PARABENCH_DEMO=0``
skips the demo dataset.
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
DEMO_SIZE = int(os.environ.get("PARABENCH_DEMO_SIZE", "240"))
DEMO_SEED = 2026
WANT_DEMO = os.environ.get("PARABENCH_DEMO", "1") not in {"0", "false", "no"}


@dataclass
class Process:
    name: str
    argv: list[str]
    # A one-shot process (the demo filler) may end; the others must keep running.
    oneshot: bool = False


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
    from django.core.management import call_command

    from parabench.backoffice import demo
    from parabench.certificates.lookup import ca_paths

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
            for spec, child in list(children):
                if child.poll() is None:
                    continue
                if spec.oneshot:
                    children.remove((spec, child))
                    if child.returncode != 0:
                        print(f"{spec.name} ended with exit code {child.returncode}.")
                    continue
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
