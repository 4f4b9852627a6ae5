"""Instructions per dashboard page (callgrind): what a change to how pages are made costs or saves,
unmoved by the load of a shared machine (the same code counts the same to within about 1 %).

Reads the national database that ``bench.bench_dashboard --prepare`` leaves (``dash_bench`` by
default, or ``BENCH_DASHBOARD_URL``), as ``bench.dashboard_pages`` does, with the production
settings (``DEBUG=0``); writes nothing to it but one temporary user per practice. Through Django's
test client it renders, after a warm-up, every tab × comparison group in Dutch and in English
(6 pages a tab; Trends with its first KPI) and the minimal login-required view of
``bench.dashboard_urls`` (6 requests), and prints the instructions per page of each.

Only the measured requests are counted: each tab's six pages are rendered inside a ctypes
callback, and callgrind collects only inside ``closure_fcn`` (ctypes' callback entry) and writes
one profile per callback (``--toggle-collect``, ``--dump-after``). Django's setup, the warm-up
and the user's creation are not counted.

The warm-up renders every page once (imports, per-process caches, prepared statements):
``--warm same`` for the measured practice itself, ``--warm other`` (the default) for a practice
in another province and network, so that only what every practice shares — the national group's
statistics, the writers per language, the compiled templates — is warm when the measured
practice's pages are rendered, as for a practice's first visit on a running portal.

    .venv/bin/python -m bench.page_instructions --json /tmp/main.json      # on the code before
    .venv/bin/python -m bench.page_instructions --compare /tmp/main.json   # on the code after

``--gzip``: every request says it accepts gzip, as browsers do (and ``bench_dashboard``), so the
count includes compressing the page (the minimal view's "ok" is too short to be compressed).
Without it, the counts are comparable with those of before issue 18, session 14.

(On the shared bench machine under ``flock /work/wt/bench.lock nice -n 5``.)

About two minutes under valgrind. ``--compare`` prints a table of the saved counts against these.
"""

import argparse
import ctypes
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = "PAGE_INSTRUCTIONS_CHILD"
LANGUAGES = ("nl", "en")
MINIMAL = "minimal view"


def _practices() -> tuple[int, int]:
    """The measured practice (the one ``bench_dashboard`` times with one client) and one in
    another province and network, for ``--warm other``."""
    from bench.bench_dashboard import _measured_practice
    from parabench.practices.models import Practice

    measured = Practice.objects.select_related("network").get(pk=_measured_practice())
    other = (
        Practice.objects.filter(network__isnull=False)
        .exclude(network=measured.network)
        .exclude(province=measured.province)
        .order_by("agb_code")
        .values_list("pk", flat=True)[0]
    )
    return measured.pk, other


def child(warm: str, gzip: bool = False) -> dict[str, int]:
    """Runs under valgrind: renders the pages, one ctypes callback (one profile) per tab."""
    from bench.bench_dashboard import GROUPS, LAST_YEAR, POSTGRES_URL, TABS, portal_setup

    portal_setup(POSTGRES_URL)
    from django.conf import settings
    from django.test import Client

    from parabench.accounts.models import User
    from parabench.uploads.models import Import

    settings.ROOT_URLCONF = "bench.dashboard_urls"
    measured, other = _practices()
    users = []

    def client_for(practice_id: int) -> tuple[Client, int]:
        username = f"page-instructions-{os.getpid()}-{len(users)}"
        user = User.objects.create_user(username=username, password="x" * 12)
        user.practice_id = practice_id
        user.save()
        users.append(user)
        client = Client()
        client.force_login(user)
        import_id = Import.objects.get(practice_id=practice_id, year=LAST_YEAR, is_current=True).pk
        return client, import_id

    def pages(import_id: int, tab: str) -> list[tuple[str, str]]:
        if tab == MINIMAL:
            return [(language, "/bench/minimal/") for language in LANGUAGES for _ in GROUPS]
        return [
            (language, f"/dashboard/{import_id}/?groep={group}&tab={tab}")
            for language in LANGUAGES
            for group in GROUPS
        ]

    headers = {"accept-encoding": "gzip, deflate, br, zstd"} if gzip else {}

    def get(client: Client, language: str, path: str) -> None:
        client.cookies["django_language"] = language
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")

    try:
        client, import_id = client_for(measured)
        warm_client, warm_import = (client, import_id) if warm == "same" else client_for(other)
        tabs = (*TABS, MINIMAL)
        for tab in tabs:
            for language, path in pages(warm_import, tab):
                get(warm_client, language, path)
        # The measured practice's own session and user: warm for the minimal view's path.
        get(client, "nl", "/bench/minimal/")
        callback_type = ctypes.CFUNCTYPE(None)
        for tab in tabs:
            todo = pages(import_id, tab)

            def measured_pages(todo=todo):
                for language, path in todo:
                    get(client, language, path)

            callback_type(measured_pages)()  # one callgrind profile: closure_fcn
        return {tab: len(pages(import_id, tab)) for tab in tabs}
    finally:
        for user in users:
            user.delete()


def _totals(folder: Path) -> list[int]:
    """The instructions of each profile callgrind dumped after a callback, in order."""
    profiles = sorted(
        (p for p in folder.glob("callgrind.out.*") if p.name.count(".") == 3),
        key=lambda p: int(p.name.rsplit(".", 1)[1]),
    )
    totals = []
    for profile in profiles:
        for line in profile.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                totals.append(int(line.split()[1]))
                break
    return totals


def measure(warm: str, gzip: bool = False) -> dict[str, float]:
    """Runs this module's child under callgrind; instructions per page by tab."""
    with tempfile.TemporaryDirectory(prefix="page-instructions-") as folder:
        counts_file = Path(folder) / "counts.json"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=closure_fcn",
            "--dump-after=closure_fcn",
            f"--callgrind-out-file={folder}/callgrind.out.%p",
            sys.executable,
            "-m",
            "bench.page_instructions",
            "--warm",
            warm,
            "--counts",
            str(counts_file),
            *(["--gzip"] if gzip else []),
        ]
        env = {**os.environ, CHILD: "1"}
        subprocess.run(command, env=env, check=True, stderr=subprocess.DEVNULL)
        pages = json.loads(counts_file.read_text())
        totals = _totals(Path(folder))
    if len(totals) != len(pages):
        raise RuntimeError(f"{len(totals)} profiles for {len(pages)} tabs")
    return {tab: total / n for (tab, n), total in zip(pages.items(), totals, strict=True)}


def table(now: dict[str, float], before: dict[str, float] | None) -> str:
    if before is None:
        rows = ["| tab | instructions a page |", "|---|---:|"]
        rows += [f"| {tab} | {count / 1e6:.1f} M |" for tab, count in now.items()]
        return "\n".join(rows)
    rows = ["| tab | before | now | |", "|---|---:|---:|---:|"]
    for tab, count in now.items():
        old = before.get(tab)
        if old is None:
            rows.append(f"| {tab} | | {count / 1e6:.1f} M | |")
        else:
            change = (count - old) / old * 100
            rows.append(f"| {tab} | {old / 1e6:.1f} M | {count / 1e6:.1f} M | {change:+.0f} % |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", choices=("same", "other"), default="other")
    parser.add_argument("--gzip", action="store_true", help="ask for gzip, as browsers do")
    parser.add_argument("--json", type=Path, help="write the counts to this file")
    parser.add_argument("--compare", type=Path, help="counts written before (--json)")
    parser.add_argument("--counts", type=Path, help=argparse.SUPPRESS)  # the child's
    args = parser.parse_args(argv)
    if os.environ.get(CHILD):
        args.counts.write_text(json.dumps(child(args.warm, args.gzip)))
        return 0
    now = measure(args.warm, args.gzip)
    if args.json:
        args.json.write_text(json.dumps(now, indent=1))
    before = json.loads(args.compare.read_text()) if args.compare else None
    print(table(now, before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
