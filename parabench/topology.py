"""`make topology`: the production topology on one machine, on loopback, on PostgreSQL.

nginx terminates mutual TLS with ``deploy/nginx/parabench-uploader.conf`` (only ports, paths and
the upstream list filled in) in front of several plain-HTTP uploader processes; two import
workers take the ``default`` queue and one statistics worker the ``statistics`` queue, so a
national refresh never holds up imports and its memory lives in a process of its own. Every
piece is the command docs/deployment.md gives for a production service; here the embedded
runner's supervisor (``parabench.embedded.supervise``) plays the process manager: a process that
dies is restarted with a back-off, and only Ctrl-C (or SIGTERM) stops them all.

``tests/test_topology.py`` uploads through it while killing an import worker, and
``bench/bench_topology.py`` loads it with a new TLS connection per upload.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from parabench.embedded import Process, supervise

ROOT = Path(__file__).resolve().parent.parent
MANAGE_PY = ROOT / "manage.py"
UPLOADER_SITE = ROOT / "deploy" / "nginx" / "parabench-uploader.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SERVICE = "/ParabenchUploader/services"
STATISTICS_NICE = 10
# An upload waits for nobody; an import may lag a second, and the uploads that arrive meanwhile
# go in its batch: a quarter less CPU an import under load (docs/deployment.md, what was measured).
IMPORT_NICE = 5


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise ValueError(f"{UPLOADER_SITE.name} no longer contains {old!r}")
    return text.replace(old, new)


def nginx_site(
    *,
    port: int,
    app_ports: list[int],
    server_cert: Path,
    server_key: Path,
    trust_bundle: Path,
    crl: Path,
) -> str:
    """The deploy server block with this machine's port, uploaders and files filled in."""
    site = UPLOADER_SITE.read_text()
    upstream = "\n    ".join(f"server 127.0.0.1:{p};" for p in app_ports)
    site = _replace(site, "server 127.0.0.1:8001;", upstream)
    site = _replace(site, "listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    site = _replace(site, "listen [::]:443 ssl;", "")
    site = _replace(site, "/etc/parabench/tls/upload.parabench.nl.fullchain.pem", str(server_cert))
    site = _replace(site, "/etc/parabench/tls/upload.parabench.nl.key", str(server_key))
    site = _replace(site, "/etc/parabench/ca/trusted-clients.pem", str(trust_bundle))
    return _replace(site, "/etc/parabench/ca/crl.pem", str(crl))


def nginx_config(directory: Path, site: str, *, workers: int = 1) -> Path:
    """A complete nginx.conf around ``site`` whose files all live in ``directory``."""
    temp = directory / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    text = f"""{user}worker_processes {workers};
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    # The TLS version and whether the session was resumed ("r") or a full handshake ("."):
    # the topology benchmark counts them to show every upload had a handshake of its own.
    log_format topology '$remote_addr [$time_local] "$request" $status $request_length '
                        '$ssl_protocol $ssl_session_reused $request_time';
    access_log {directory}/access.log topology;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{site}
}}
"""
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


def nginx_argv(config: Path) -> list[str]:
    """nginx in the foreground, so the process manager sees it end."""
    directory = str(config.parent)
    return [NGINX, "-p", directory, "-e", f"{directory}/error.log", "-c", str(config)] + [
        "-g",
        "daemon off;",
    ]


def prepare(run_dir: Path, *, port: int, app_ports: list[int], nginx_workers: int) -> Path:
    """Migrate, make sure the CA exists, write the trust bundle, the CRL, the server certificate
    and the nginx configuration; returns the configuration's path."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from parabench.certificates.ca import write_trust_bundle
    from parabench.certificates.lookup import ca_paths, current_crl
    from parabench.uploads.server import ensure_server_certificate

    if connection.vendor != "postgresql":
        raise SystemExit(
            "The production topology runs on PostgreSQL: set DATABASE_URL=postgres://… "
            "(SQLite has one writer; make run is its home)."
        )
    run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    call_command("migrate", interactive=False, verbosity=0)
    if not settings.DEBUG:
        # With DEBUG=0 every manage.py command resolves hashed static names (docs/deployment.md).
        call_command("collectstatic", interactive=False, verbosity=0)
    ca_paths()
    crl = run_dir / "crl.pem"
    crl.write_bytes(current_crl("pem"))
    server_cert, server_key = ensure_server_certificate(
        run_dir / "server.pem", run_dir / "server.key"
    )
    site = nginx_site(
        port=port,
        app_ports=app_ports,
        server_cert=server_cert,
        server_key=server_key,
        trust_bundle=write_trust_bundle(),
        crl=crl,
    )
    config = nginx_config(run_dir / "nginx", site, workers=nginx_workers)
    connection.close()
    return config


def processes(
    config: Path, app_ports: list[int], *, import_workers: int = 2, interval: float = 0.2
) -> list[Process]:
    """nginx, one plain uploader per port, the import workers and the statistics worker."""
    python = sys.executable

    def worker(queue: str, nice: int) -> list[str]:
        options = ["--queue-name", queue, "--nice", str(nice), "--no-reload", "--no-startup-delay"]
        return [python, str(MANAGE_PY), "import_worker", *options, "--interval", str(interval)]

    return [
        Process("nginx", nginx_argv(config)),
        *(
            Process(
                f"uploader-{n}",
                [python, "-m", "parabench.uploads.server", "--plain", "--port", str(p)],
            )
            for n, p in enumerate(app_ports, start=1)
        ),
        *(
            Process(f"import-worker-{n}", worker("default", IMPORT_NICE))
            for n in range(1, import_workers + 1)
        ),
        # import_worker too: at its start it queues again a refresh its predecessor was killed
        # in (parabench.tasks.worker_starting), and its id names host and pid. At a lower CPU
        # priority than the imports: a refresh may lag, an upload should not wait for the CPU.
        Process("statistics-worker", worker("statistics", STATISTICS_NICE)),
    ]


def command(*, port: int, app_ports: list[int], run_dir: Path) -> list[str]:
    """The command line that starts the topology (for tests and benchmarks)."""
    return [sys.executable, "-m", "parabench.topology", "--port", str(port)] + [
        "--uploader-ports",
        ",".join(map(str, app_ports)),
        "--run-dir",
        str(run_dir),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("TOPOLOGY_PORT", "9443")))
    parser.add_argument(
        "--uploader-ports",
        default=os.environ.get("TOPOLOGY_UPLOADER_PORTS", "9001,9002"),
        help="one plain uploader process per port (comma-separated)",
    )
    parser.add_argument("--import-workers", type=int, default=2)
    parser.add_argument("--nginx-workers", type=int, default=2)
    parser.add_argument("--run-dir", type=Path, default=ROOT / "var" / "topology")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    app_ports = [int(p) for p in args.uploader_ports.split(",")]
    # The uploaders believe the certificate headers only from nginx on this machine.
    os.environ.setdefault("UPLOADER_TRUSTED_PROXIES", "127.0.0.1")
    if args.prepare_only:
        prepare(args.run_dir, port=args.port, app_ports=app_ports, nginx_workers=args.nginx_workers)
        return 0
    # Prepared in a child process, so the supervisor itself stays small (no Django loaded).
    prepared = subprocess.run(
        [sys.executable, "-m", "parabench.topology", *(argv or sys.argv[1:]), "--prepare-only"]
    )
    if prepared.returncode:
        return prepared.returncode
    print(f"Topologie / topology: https://127.0.0.1:{args.port}{SERVICE}", flush=True)
    print(
        f"  nginx (mTLS) → {len(app_ports)} uploaders {app_ports}, "
        f"{args.import_workers} import workers, 1 statistics worker; stop: Ctrl-C",
        flush=True,
    )
    config = args.run_dir / "nginx" / "nginx.conf"
    return supervise(processes(config, app_ports, import_workers=args.import_workers))


if __name__ == "__main__":
    sys.exit(main())
