"""Every dashboard page of a few practices, written to files — to show that a change to how pages
are made left what they say alone, byte for byte, or exactly which numbers it moved.

Reads the national database that ``bench.bench_dashboard --prepare`` leaves (``dash_bench`` by
default, or ``BENCH_DASHBOARD_URL``); writes nothing to it but one temporary user per practice.
Pages: three practices of the last year and one import three years older, every tab × comparison
group, Trends with each of its KPIs, in Dutch and in English (480 pages), through Django's test
client with the production settings (``DEBUG=0``); CSRF tokens are masked.

    .venv/bin/python -m bench.dashboard_pages /tmp/before      # on the code before
    .venv/bin/python -m bench.dashboard_pages /tmp/after --compare /tmp/before

``--compare`` prints how many pages differ, how many of their numbers changed and by how much at
most, and how many pages differ in anything but numbers (naming a few).
"""

import argparse
import os
import re
import sys
from pathlib import Path

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def dump(out: Path) -> int:
    from bench.bench_dashboard import GROUPS, LAST_YEAR, POSTGRES_URL, TABS, portal_setup

    portal_setup(POSTGRES_URL)
    from django.test import Client

    from parabench.accounts.models import User
    from parabench.benchmark.queries import TREND_KPIS
    from parabench.uploads.models import Import

    current = Import.objects.filter(is_current=True).order_by("practice__agb_code")
    chosen = list(current.filter(year=LAST_YEAR).values_list("pk", "practice_id")[:400:133])
    chosen.append(current.filter(year=LAST_YEAR - 3).values_list("pk", "practice_id")[7])
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for number, (import_id, practice_id) in enumerate(chosen):
        username = f"dashboard-pages-{os.getpid()}-{number}"
        user = User.objects.create_user(username=username, password="x" * 12)
        user.practice_id = practice_id
        user.save()
        try:
            client = Client()
            client.force_login(user)
            for language in ("nl", "en"):
                client.cookies["django_language"] = language
                for group in GROUPS:
                    for tab in TABS:
                        for kpi in TREND_KPIS if tab == "trends" else [None]:
                            path = f"/dashboard/{import_id}/?groep={group}&tab={tab}"
                            path += f"&kengetal={kpi}" if kpi else ""
                            response = client.get(path)
                            body = CSRF.sub('name="csrfmiddlewaretoken" value="X"', response.text)
                            name = f"{number}-{language}-{group}-{tab}-{kpi}.html"
                            (out / name).write_text(f"{response.status_code}\n{body}")
                            written += 1
        finally:
            user.delete()
    return written


def compare(before: Path, after: Path) -> str:
    pages = numbers = 0
    largest = 0.0
    other = []
    for page in sorted(before.iterdir()):
        old, new = page.read_text(), (after / page.name).read_text()
        if old == new:
            continue
        pages += 1
        old_numbers, new_numbers = NUMBER.findall(old), NUMBER.findall(new)
        if NUMBER.sub("#", old) != NUMBER.sub("#", new) or len(old_numbers) != len(new_numbers):
            other.append(page.name)
            continue
        for x, y in zip(old_numbers, new_numbers, strict=True):
            if x != y:
                numbers += 1
                largest = max(largest, abs(float(x) - float(y)))
    lines = [f"{pages} pages differ; {numbers} numbers changed, by {largest:g} at most"]
    if other:
        lines.append(f"{len(other)} differ in more than numbers, e.g. " + ", ".join(other[:5]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder to write the pages to")
    parser.add_argument("--compare", type=Path, help="a folder written before, to compare with")
    args = parser.parse_args(argv)
    print(f"{dump(args.out)} pages written to {args.out}")
    if args.compare:
        print(compare(args.compare, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
