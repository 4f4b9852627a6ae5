"""The national-scale world the statistics and import benchmarks share: generated, filled, cloned.

10,000 practices × 10 years: practices spread over the 12 provinces by population and over
networks of random size (60 % of the practices, a share of the networks too small to show), one
imported export per practice and year, and per export the stored KPI vectors of every window
(random but plausible values, 2 % not defined); the last year runs to Q3 like a current year.
Filled directly (binary COPY), not through uploads: the import path has its own benchmark.

Why a template database: filling 680,000 rows takes a minute or two and every benchmark wants the
same start. On PostgreSQL the filled database is kept as a template (``TEMPLATE``) and each run
gets a copy (``CREATE DATABASE … TEMPLATE``, a file copy of a few seconds); the template is
filled again when it is missing, of another scale, or its migrations are not today's.
``generate`` is deterministic (seeded), so a process can rebuild the in-memory arrays of what a
clone holds without reading the database.
"""

import time
from datetime import UTC, datetime, timedelta

import numpy as np

LAST_YEAR = 2026
# The filled world every benchmark copies (on the same server as the benchmark's database). The
# name carries the world's version: a template of an older ``generate`` is never reused.
TEMPLATE = "bm_national_v2_tpl"
# First-quarter patients of a practice of average size: with the practice sizes of ``generate``, a
# quarter of the practices fall below 200 and a quarter above 400 — the size bands were cut at
# roughly the national tertiles (``groups.SIZE_BANDS``). Version 1 drew this column like every
# other one (a median of about 20): 98 % of the practices were "klein", so that size group was
# as large as the national one and every refresh recomputed it.
PATIENTS_Q1 = 280.0
SEED = 6
PROVINCE_WEIGHTS = {
    "GR": 3.4,
    "FR": 3.7,
    "DR": 2.8,
    "OV": 6.7,
    "FL": 2.5,
    "GE": 12.1,
    "UT": 7.9,
    "NH": 16.6,
    "ZH": 21.3,
    "ZE": 2.2,
    "NB": 14.8,
    "LI": 6.3,
}


def windows_of(quarters: int) -> list[str]:
    ids = [f"Q{q}" for q in range(1, quarters + 1)]
    return ids + [f"Q1-Q{q}" for q in range(2, quarters + 1)]


def generate(practices: int, years: int, seed: int = SEED):
    """Memberships and per (year, window) the matrix of stored vectors, one row per practice
    (rows in AGB order, the order ``fill`` creates the practices in)."""
    from parabench.benchmark.catalogue import STORED_COLUMNS

    rng = np.random.default_rng(seed)
    provinces = np.array(list(PROVINCE_WEIGHTS))
    weights = np.array(list(PROVINCE_WEIGHTS.values()))
    province = rng.choice(provinces, size=practices, p=weights / weights.sum())
    networks = max(1, practices // 25)
    in_network = rng.random(practices) < 0.6
    network = np.where(in_network, rng.integers(0, networks, size=practices), -1)
    size = rng.lognormal(0, 0.5, size=practices)
    reference = rng.lognormal(3, 1, size=len(STORED_COLUMNS))
    reference[STORED_COLUMNS.index("patients")] = PATIENTS_Q1
    data = {}
    first = LAST_YEAR - years + 1
    for year in range(first, LAST_YEAR + 1):
        quarters = 3 if year == LAST_YEAR else 4
        growth = 1 + 0.03 * (year - first)
        for window in windows_of(quarters):
            span = 1 if "-" not in window else int(window[-1])
            matrix = reference * rng.lognormal(0, 0.3, size=(practices, len(STORED_COLUMNS)))
            matrix[:, :4] *= (size * growth * span)[:, None]
            matrix[rng.random(matrix.shape) < 0.02] = np.nan
            data[(year, window)] = matrix
    return province, network, networks, data


def fill(province, network, networks, data) -> dict:
    """Write the generated world into the (migrated, empty) database of this process."""
    from django.db import transaction

    from bench.common import create_country
    from parabench.benchmark import layout
    from parabench.benchmark.bulk import bulk_insert
    from parabench.benchmark.kpis import growth_matrix, pack
    from parabench.benchmark.models import WindowValues
    from parabench.uploads.models import Import

    started = time.perf_counter()
    with transaction.atomic():
        practice_ids = create_country(province, network, networks)
        years = sorted({year for year, _ in data})
        uploaded = datetime(2020, 1, 1, tzinfo=UTC)
        imports = []
        for year in years:
            end = datetime(year, 9 if year == LAST_YEAR else 12, 30).date()
            for n, pk in enumerate(practice_ids):
                imports.append(
                    Import(
                        practice_id=pk,
                        certificate_fingerprint="ab" * 32,
                        status=Import.Status.IMPORTED,
                        uploaded_at=uploaded + timedelta(seconds=n),
                        imported_at=uploaded + timedelta(seconds=n + 1),
                        exported_at=uploaded + timedelta(seconds=n),
                        content_sha256=f"{year}-{n}".ljust(64, "0"),
                        body_path="bench",
                        body_size=1,
                        format_version="parabench-mi/1",
                        year=year,
                        period_begin=datetime(year, 1, 1).date(),
                        period_end=end,
                        is_current=True,
                    )
                )
        Import.objects.bulk_create(imports, batch_size=5000)
        import_ids = {
            (practice, year): pk
            for pk, practice, year in Import.objects.values_list("pk", "practice_id", "year")
        }
        # Growth figures as a recompute stores them: against last year's window.
        growth = {key: growth_matrix(m, data.get((key[0] - 1, key[1]))) for key, m in data.items()}
        values_layout = layout.ensure(layout.values_names())
        growth_layout = layout.ensure(layout.growth_names())
        rows = (
            (
                import_ids[(pk, year)],
                pk,
                year,
                window,
                pack(matrix[i]),
                values_layout,
                pack(growth[key][i]),
                growth_layout,
                True,
            )
            for key, matrix in data.items()
            for year, window in (key,)
            for i, pk in enumerate(practice_ids)
        )
        fields = ("imp_id", "practice_id", "year", "window", "values", "layout_id")
        bulk_insert(WindowValues, (*fields, "growth", "growth_layout_id", "counted"), rows)
    return {
        "fill_seconds": time.perf_counter() - started,
        "window_rows": sum(len(m) for m in data.values()),
        "imports": len(imports),
    }


# --- Case-mix cells (format 1.1), for the measurement of the reference rates ---------------------


def cells(rows: int, seed: int = SEED) -> np.ndarray:
    """Plausible case-mix cells of ``rows`` window rows (rows × 48 × 5, ``casemix.FIELDS``):
    per cell a share of the practice's episodes (most in a few common cells, a third of the
    cells empty), about 12 sessions per chronic episode and 5.5 per other one, about a week per
    session, with the sums of squares of a spread of about 40 %."""
    from parabench.benchmark import casemix

    rng = np.random.default_rng(SEED + 1)  # the country's case mix: the same in every call
    per_side = len(casemix.CELLS) // 2  # CELLS: the chronic side first
    weight = rng.lognormal(0, 1.2, size=len(casemix.CELLS))
    weight[rng.random(len(casemix.CELLS)) < 0.33] = 0
    rate = np.repeat([12.0, 5.5], per_side)[: len(casemix.CELLS)] * rng.lognormal(
        0, 0.2, len(casemix.CELLS)
    )
    days = rate * 7 * rng.lognormal(0, 0.2, size=len(casemix.CELLS))
    rng = np.random.default_rng(seed + 2)  # the rows
    episodes = rng.poisson(weight[None, :] * rng.lognormal(0, 0.5, size=(rows, 1)) * 4)
    out = np.zeros((rows, len(casemix.CELLS), len(casemix.FIELDS)))
    out[:, :, casemix.EPISODES] = episodes
    for column, squares, mean in (
        (casemix.SESSIONS, casemix.SESSIONS_SQUARES, rate),
        (casemix.DAYS, casemix.DAYS_SQUARES, days),
    ):
        per_episode = mean[None, :] * rng.lognormal(0, 0.15, size=(rows, len(casemix.CELLS)))
        out[:, :, column] = np.round(episodes * per_episode)
        out[:, :, squares] = np.round(episodes * per_episode**2 * 1.16)
    return out


def fill_cells(year: int) -> int:
    """Give every counted row of ``year`` case-mix cells (as if every practice sent format 1.1),
    in the database of this process. Returns the rows given cells."""
    from django.db import connection, transaction

    from parabench.benchmark import casemix, layout
    from parabench.benchmark.models import WindowValues

    ids = list(
        WindowValues.objects.filter(year=year, counted=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    cells_layout = layout.ensure(casemix.CELL_NAMES)
    table = connection.ops.quote_name(WindowValues._meta.db_table)
    chunk = 5000  # made in parts: 50,000 rows of cells at once were 100 MB of this process's peak
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_cells (id bigint, cells bytea) ON COMMIT DROP")
        with cursor.cursor.copy("COPY bench_cells (id, cells) FROM STDIN") as copy:
            for start in range(0, len(ids), chunk):
                part = ids[start : start + chunk]
                made = cells(len(part), seed=SEED + start).reshape(len(part), -1)
                for pk, row in zip(part, made, strict=True):
                    copy.write_row((pk, casemix.pack_cells(row)))
        cursor.execute(
            f"UPDATE {table} AS target SET cells = c.cells, cells_layout_id = %s "  # noqa: S608
            "FROM bench_cells AS c WHERE target.id = c.id",
            [cells_layout],
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return len(ids)


# --- PostgreSQL: a filled template, copied per run ---------------------------------------------


def _admin(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def _exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(_admin(url), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def _template_ok(url: str, template: str, practices: int, years: int) -> bool:
    """The template holds this scale and exactly today's migrations."""
    import psycopg
    from django.db.migrations.loader import MigrationLoader

    if not _exists(url, template):
        return False
    # No connection: the migrations on disk, not what some database has applied.
    wanted = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    with psycopg.connect(url.rsplit("/", 1)[0] + "/" + template) as conn:
        applied = set(conn.execute("SELECT app, name FROM django_migrations").fetchall())
        scale = conn.execute("SELECT COUNT(*), COUNT(DISTINCT year) FROM uploads_import").fetchone()
    return applied == wanted and scale == (practices * years, years)


def _close(connection) -> None:
    """A pooled connection would keep the database in use (no copy, no drop)."""
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


def national_database(url: str, practices: int, years: int, template: str) -> dict:
    """Make the database at ``url`` (PostgreSQL) a fresh copy of the filled national world kept
    as database ``template`` (filled first when it is missing or stale; benchmarks share it).

    Call after ``django.setup()`` with ``DATABASE_URL`` = ``url``; the connection is closed
    around the copy. Returns what filling cost when the template had to be (re)built.
    """
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    name = url.rsplit("/", 1)[1]
    report = {"template_reused": True}
    _close(connection)
    if not _template_ok(url, template, practices, years):
        report["template_reused"] = False
        with psycopg.connect(_admin(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        call_command("migrate", verbosity=0)
        report.update(fill(*generate(practices, years)))
        _close(connection)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        with psycopg.connect(_admin(url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
        return report
    started = time.perf_counter()
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    report["copy_seconds"] = time.perf_counter() - started
    return report


def drop_database(url: str) -> None:
    """The copy is hundreds of megabytes: do not leave it behind (the template stays)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
