"""The counted-flag update after a burst, on stale planner statistics: its plan and its time.

Reproduces a finding of the import benchmark (29 November 2026): after a whole national year had
been set back to "not counted" (every row as if just imported) and before the table was analysed
again, ``recompute.mark_counted`` — then two updates, ``pk NOT IN (ranked subquery)`` and
``pk IN (ranked subquery)`` — was planned with a subquery run or scanned once per row of the
year: quadratic, cancelled after 16 minutes. This script builds the national world
(``bench/national.py``, a copy of a filled template), sets one whole year back the same way with
autovacuum off for the table (production before autovacuum's ANALYZE), and then, each statement in
a transaction that is rolled back (so every form starts from the same rows):

- ``before``: the two updates as they were (rebuilt here from the same ORM expressions), planned
  on the stale statistics; run with a statement timeout;
- ``after``: today's ``mark_counted`` (one ``UPDATE … FROM``, ``flags.flag_update_sql``);
- both again after ``ANALYZE`` (the fairest baseline: the old form with fresh statistics).

It prints every plan (``EXPLAIN``; ``EXPLAIN ANALYZE`` for the runs that finish) and writes
``docs/benchmarks-counted.md``. PostgreSQL only (SQLite keeps no planner statistics to go stale).

    .venv/bin/python -m bench.bench_counted --prepare   # fill the template once (minutes)
    flock /work/wt/bench.lock .venv/bin/python -m bench.bench_counted \\
        --url postgres://postgres@127.0.0.1:5432/pb_counted_bench --template pb_counted_tpl
"""

import argparse
import os
import sys
import time

from bench import national
from bench.common import ROOT, Verdict, load_average, min_median, verdict_table

DOC = ROOT / "docs" / "benchmarks-counted.md"
URL = "postgres://postgres@127.0.0.1:5432/pb_counted_bench"
TABLE = "benchmark_windowvalues"


def _old_statements(year: int) -> list[tuple[str, list]]:
    """The two updates of ``mark_counted`` before this change, as the ORM compiled them."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber
    from django.db.models.sql import UpdateQuery

    from parabench.benchmark.models import WindowValues
    from parabench.uploads.models import Import, oldest_first

    newest_first = [order.copy().reverse_ordering() for order in oldest_first("imp__")]
    winners = (
        WindowValues.objects.filter(year=year, imp__status=Import.Status.IMPORTED)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("practice_id"), F("window")],
                order_by=[*newest_first, F("pk").desc()],
            )
        )
        .filter(rank=1)
        .values("pk")
    )
    rows = WindowValues.objects.filter(year=year)
    statements = []
    for queryset, flag in (
        (rows.filter(counted=True).exclude(pk__in=winners), False),
        (rows.filter(counted=False, pk__in=winners), True),
    ):
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values({"counted": flag})
        compiler = query.get_compiler(queryset.db)
        compiler.pre_sql_setup()
        sql, params = compiler.as_sql()
        statements.append((sql, list(params)))
    return statements


def _new_statements(year: int) -> list[tuple[str, list]]:
    from parabench.benchmark.recompute import _counting
    from parabench.flags import flag_update_sql

    return [flag_update_sql(_counting(year), "counted", "counts")]


def _explain(cursor, sql, params, analyze: bool) -> str:
    options = "(ANALYZE, TIMING OFF, SUMMARY ON)" if analyze else "(COSTS ON)"
    cursor.execute(f"EXPLAIN {options} {sql}", params)
    return "\n".join(row[0] for row in cursor.fetchall())


def _attempt(statements, timeout: int, setup: tuple[str, list] | None = None) -> dict:
    """Plan, then run, the statements of one form in a transaction that is rolled back, after
    ``setup`` (a statement run first in the same transaction, not timed); each statement stops
    at ``timeout`` seconds (``statement_timeout``)."""
    from django.db import OperationalError, connection, transaction

    def rolled_back(work):
        with transaction.atomic(), connection.cursor() as cursor:
            if setup is not None:
                cursor.execute(*setup)
            found = work(cursor)
            transaction.set_rollback(True)
        return found

    plans = rolled_back(
        lambda c: [_explain(c, sql, params, analyze=False) for sql, params in statements]
    )

    def timed(cursor):
        seconds, written = 0.0, 0
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout * 1000)])
        for sql, params in statements:
            started = time.perf_counter()
            cursor.execute(sql, params)
            seconds += time.perf_counter() - started
            written += cursor.rowcount
        return seconds, written

    try:
        (seconds, written), cancelled = rolled_back(timed), False
    except OperationalError as error:  # QueryCanceled: the statement timeout
        if "statement timeout" not in str(error):
            raise
        seconds, written, cancelled = float(timeout), None, True
    analysed = []
    if not cancelled:
        analysed = rolled_back(
            lambda c: [_explain(c, sql, params, analyze=True) for sql, params in statements]
        )
    return {
        "seconds": seconds,
        "cancelled": cancelled,
        "written": written,
        "plans": plans,
        "analysed": analysed,
        "load": load_average(),
    }


def _flip(year: int) -> int:
    """The whole year as if just imported: not counted, no growth figures (as bench_import)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} SET (autovacuum_enabled = false)")
        cursor.execute(
            f"UPDATE {TABLE} SET counted = false, growth = NULL WHERE year = %s",  # noqa: S608
            [year],
        )
        return cursor.rowcount


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
    import django

    django.setup()


def run(practices: int, years: int, url: str, template: str, timeout: int, rounds: int) -> dict:
    _setup(url)
    result = {"practices": practices, "years": years, "timeout": timeout, "load_start": None}
    result["prepare"] = national.national_database(url, practices, years, template)
    try:
        _measure(result, timeout, rounds)
    finally:
        national.drop_database(url)
    return result


def _measure(result: dict, timeout: int, rounds: int) -> None:
    from django.db import connection

    result["load_start"] = load_average()
    year = national.LAST_YEAR - 1  # a whole year: seven windows
    result["year"] = year
    result["flipped"] = _flip(year)
    forms = {"before": _old_statements, "after": _new_statements}
    result["stale"] = {name: _attempt(build(year), timeout) for name, build in forms.items()}
    # The "after" form a few times more on the same stale statistics (alternating is moot: the
    # "before" form is cancelled at the timeout).
    result["stale_after_rounds"] = [result["stale"]["after"]["seconds"]] + [
        _attempt(_new_statements(year), timeout)["seconds"] for _ in range(rounds - 1)
    ]
    # A year the statistics have never seen (the first burst of a new year): the flipped rows
    # moved to it inside each form's transaction, so "year = …" is estimated at one row too.
    new_year = national.LAST_YEAR + 1
    move = (f"UPDATE {TABLE} SET year = %s WHERE year = %s", [new_year, year])  # noqa: S608
    result["new_year"] = {
        name: _attempt(build(new_year), timeout, setup=move) for name, build in forms.items()
    }
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    fresh = {name: [] for name in forms}
    for _round in range(rounds):
        for name, build in forms.items():
            fresh[name].append(_attempt(build(year), timeout))
    result["fresh"] = fresh
    result["load_end"] = load_average()


def _seconds(attempt, result) -> str:
    if attempt["cancelled"]:
        return f"cancelled at the {result['timeout']} s timeout"
    return f"{attempt['seconds']:.2f}"


def _written(attempt) -> str:
    return "—" if attempt["written"] is None else f"{attempt['written']:,}"


def markdown(result: dict) -> str:
    stale, fresh, new_year = result["stale"], result["fresh"], result["new_year"]
    before = stale["before"]
    after_min, after_median = min_median(result["stale_after_rounds"])
    fresh_before = min_median([r["seconds"] for r in fresh["before"]])
    fresh_after = min_median([r["seconds"] for r in fresh["after"]])
    before_text = (
        f"cancelled at the {result['timeout']} s timeout"
        if before["cancelled"]
        else f"{before['seconds']:.1f} s"
    )
    verdicts = [
        Verdict(
            "the flag update after a whole-year burst, on stale statistics, within 3x of the "
            "same update on fresh statistics (no quadratic plan)",
            f"after: min {after_min:.2f} s, median {after_median:.2f} s stale against "
            f"min {fresh_after[0]:.2f} s fresh (before: {before_text})",
            after_median <= 3 * max(fresh_after[1], 0.1),
        ),
        Verdict(
            "the same on a year the statistics have never seen (the first burst of a year)",
            f"after: {_seconds(new_year['after'], result)} s (before: "
            f"{_seconds(new_year['before'], result)})",
            not new_year["after"]["cancelled"]
            and new_year["after"]["seconds"] <= 3 * max(fresh_after[1], 0.1),
        ),
        Verdict(
            "no slower than the two updates on fresh statistics (the fairest baseline)",
            f"after min {fresh_after[0]:.2f} s, median {fresh_after[1]:.2f} s; before min "
            f"{fresh_before[0]:.2f} s, median {fresh_before[1]:.2f} s (fresh statistics)",
            fresh_after[1] <= 1.1 * fresh_before[1],
        ),
    ]
    for verdict in verdicts:
        verdict.print()
    lines = [
        "# Benchmark: the counted-flag update after a burst (stale planner statistics)",
        "",
        f"National world: {result['practices']:,} practices × {result['years']} years; year "
        f"{result['year']} set back to not counted, no growth ({result['flipped']:,} rows), "
        "autovacuum off for the table; every statement rolled back after it ran. "
        f"Load average {result['load_start']:.1f} at the start, {result['load_end']:.1f} at the "
        "end (2 cores, shared). `python -m bench.bench_counted`; see the script's docstring.",
        "",
        *verdict_table(verdicts),
        "",
        "| form | statistics | seconds (min / median) | rows written | load |",
        "|---|---|---|---|---|",
        f"| before (two updates, `[NOT] IN`) | stale | {before_text} | "
        f"{_written(before)} | {before['load']:.1f} |",
        f"| after (one `UPDATE … FROM`) | stale | {after_min:.2f} / {after_median:.2f} | "
        f"{_written(stale['after'])} | {stale['after']['load']:.1f} |",
        *(
            f"| {name} | stale, a year never analysed | {_seconds(attempt, result)} | "
            f"{_written(attempt)} | {attempt['load']:.1f} |"
            for name, attempt in result["new_year"].items()
        ),
        f"| before | fresh (ANALYZE) | {fresh_before[0]:.2f} / {fresh_before[1]:.2f} | "
        f"{_written(fresh['before'][0])} | {fresh['before'][-1]['load']:.1f} |",
        f"| after | fresh (ANALYZE) | {fresh_after[0]:.2f} / {fresh_after[1]:.2f} | "
        f"{_written(fresh['after'][0])} | {fresh['after'][-1]['load']:.1f} |",
        "",
    ]
    for title, attempt in (
        ("Before, stale statistics", stale["before"]),
        ("After, stale statistics", stale["after"]),
        ("Before, a year never analysed", result["new_year"]["before"]),
        ("After, a year never analysed", result["new_year"]["after"]),
        ("Before, fresh statistics", fresh["before"][0]),
        ("After, fresh statistics", fresh["after"][0]),
    ):
        lines += [f"## {title}", ""]
        for plan in attempt["analysed"] or attempt["plans"]:
            lines += ["```", plan, "```", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--url", default=URL)
    parser.add_argument("--template", default="pb_counted_tpl")
    parser.add_argument("--timeout", type=int, default=90, help="seconds per statement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--prepare", action="store_true", help="only fill the template (no timing: no lock needed)"
    )
    args = parser.parse_args()
    if args.prepare:
        _setup(args.url)
        print(national.national_database(args.url, args.practices, args.years, args.template))
        national.drop_database(args.url)
        return 0
    result = run(args.practices, args.years, args.url, args.template, args.timeout, args.rounds)
    text = markdown(result)
    DOC.write_text(text)
    print(text)
    print(f"written: {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
