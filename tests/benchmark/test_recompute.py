"""Counted rows, same-window comparison, superseding imports, groups, incremental == full."""

import gc
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from parabench.benchmark import groups
from parabench.benchmark.catalogue import COLUMN_INDEX
from parabench.benchmark.disclosure import round_published
from parabench.benchmark.models import (
    GroupStatistics,
    ReferenceRates,
    WindowValues,
)
from parabench.benchmark.recompute import (
    _cell_counts,
    _counts_of,
    _member_cells,
    _positions,
    _row_keys,
    _short_switches,
    _sort_rows,
    mark_counted,
    recompute_all,
    recompute_changed,
    recompute_practices,
    warm_weights,
)
from parabench.benchmark.stats import STAT_FIELDS, describe_columns, hd_window
from parabench.uploads.models import Import
from tests.benchmark.factories import make_import
from tests.factories import NetworkFactory, PracticeFactory

pytestmark = pytest.mark.django_db

PATIENTS = COLUMN_INDEX["patients"]
MEDIAN = STAT_FIELDS.index("median")


def _stats(year, window, kind="national", key=""):
    row = GroupStatistics.objects.get(year=year, window=window, kind=kind, key=key)
    if row.stats is None:
        return row.n, None
    return row.n, np.frombuffer(bytes(row.stats), dtype="<f8").reshape(len(STAT_FIELDS), -1)


def _published_median(values):
    """Every median the rules may publish for these patient counts (display step 1): the
    Harrell-Davis median, dithered by less than one rounding step and rounded."""
    ordered = np.sort(np.array(values, dtype=float)).reshape(-1, 1)
    n = np.array([[len(values)]])
    estimate = describe_columns(ordered)[MEDIAN : MEDIAN + 1]
    return {
        float(round_published(estimate, n, np.array([1.0]), np.array([[d]]))[0, 0])
        for d in np.linspace(-0.5, 0.4999, 200)
    }


def _snapshot():
    stats = {
        (r.year, r.window, r.kind, r.key): (r.n, None if r.stats is None else bytes(r.stats))
        for r in GroupStatistics.objects.all()
    }
    rows = {
        pk: (counted, None if growth is None else bytes(growth))
        for pk, counted, growth in WindowValues.objects.values_list("pk", "counted", "growth")
    }
    # The national case-mix reference rates (and their τ²) of every window, byte for byte.
    rates = {
        (year, window): (n, bytes(blob), pk)
        for year, window, n, blob, pk in ReferenceRates.objects.values_list(
            "year", "window", "n", "rates", "layout_id"
        )
    }
    return stats, rows, rates


def assert_a_full_recompute_changes_nothing():
    """What the incremental recomputes left is exactly what a full recompute writes."""
    incremental = _snapshot()
    recompute_all()
    assert _snapshot() == incremental
    return incremental


def test_a_half_year_is_compared_with_the_peers_half_year_not_their_full_year():
    peers = [PracticeFactory() for _ in range(5)]
    for size, practice in enumerate(peers, start=1):
        # One peer's 2026 export runs to Q3: its Q1-Q2 window still counts.
        make_import(practice, 2026, quarters=3 if size == 5 else 4, size=size)
    mine = make_import(PracticeFactory(), 2026, quarters=2, size=1)
    n, stats = _stats(2026, "Q1-Q2")
    assert n == 6
    half_years = [150, 150, 300, 450, 600, 750]  # 1.5 × 100 × size
    assert stats[MEDIAN, PATIENTS] in _published_median(half_years)
    assert len(stats) == len(STAT_FIELDS)  # no mean is stored
    full_n, full = _stats(2026, "Q1-Q4")
    assert full_n == 4  # neither the half year nor the export to Q3 has a Q1-Q4 window
    assert WindowValues.objects.get(imp=mine, window="Q1-Q2").counted


def test_a_newer_import_supersedes_the_older_one_of_the_same_year():
    practices = [PracticeFactory() for _ in range(5)]
    for practice in practices:
        make_import(practice, 2025, size=1)
    first = Import.objects.get(practice=practices[0])
    second = make_import(practices[0], 2025, size=9)
    assert not WindowValues.objects.filter(imp=first, counted=True).exists()
    assert WindowValues.objects.filter(imp=second, counted=True).count() == 7
    n, stats = _stats(2025, "Q1")
    assert n == 5
    assert stats[MEDIAN, PATIENTS] in _published_median([900, 100, 100, 100, 100])


def test_a_newer_import_covering_fewer_quarters_leaves_the_older_one_counting_for_the_rest():
    practice = PracticeFactory()
    old = make_import(practice, 2026, quarters=3, size=1)
    # Newer means exported later (docs/statistics.md): a day after the older one.
    later = old.exported_at + timedelta(days=1)
    new = make_import(practice, 2026, quarters=1, size=2, exported_at=later)
    assert set(
        WindowValues.objects.filter(imp=new, counted=True).values_list("window", flat=True)
    ) == {"Q1"}
    assert set(
        WindowValues.objects.filter(imp=old, counted=True).values_list("window", flat=True)
    ) == {
        "Q2",
        "Q3",
        "Q1-Q2",
        "Q1-Q3",
    }


def _flags_and_versions():
    """Every row's counted flag and, on PostgreSQL, its version (``xmin``: the transaction that
    last wrote the row, whatever it wrote — no trigger needed)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, counted, xmin::text FROM benchmark_windowvalues")
            return {pk: (counted, xmin) for pk, counted, xmin in cursor.fetchall()}
    flags = WindowValues.objects.values_list("pk", "counted")
    return {pk: (counted, None) for pk, counted in flags}


def test_marking_the_counted_rows_writes_only_the_rows_whose_flag_is_wrong():
    practices = [PracticeFactory() for _ in range(3)]
    for practice in practices:
        make_import(practice, 2025, size=1)
    old = Import.objects.get(practice=practices[0])
    new = make_import(practices[0], 2025, size=2)
    rejected = make_import(practices[1], 2025, size=3, status=Import.Status.REJECTED)
    # Three flags put wrong behind the recompute's back (each statement its own transaction).
    wrong = [
        WindowValues.objects.get(imp=new, window="Q1"),  # the newest export, not counted
        WindowValues.objects.get(imp=old, window="Q2"),  # the export it replaced, counted
        WindowValues.objects.get(imp=rejected, window="Q3"),  # a rejected upload, counted
    ]
    assert [row.counted for row in wrong] == [True, False, False]
    for row in wrong:
        WindowValues.objects.filter(pk=row.pk).update(counted=not row.counted)
    before = _flags_and_versions()
    assert mark_counted(2025) == 3
    after = _flags_and_versions()
    assert {pk for pk in before if after[pk] != before[pk]} == {row.pk for row in wrong}
    assert [after[row.pk][0] for row in wrong] == [True, False, False]
    # Nothing wrong: nothing written.
    assert mark_counted(2025) == 0
    assert _flags_and_versions() == after


def test_a_rejected_import_never_counts():
    practice = PracticeFactory()
    make_import(practice, 2025, size=1)
    rejected = make_import(practice, 2025, size=7, status=Import.Status.REJECTED)
    recompute_all()
    assert not WindowValues.objects.filter(imp=rejected, counted=True).exists()


def test_practices_without_network_form_their_own_group():
    network = NetworkFactory()
    for size in range(1, 6):
        make_import(PracticeFactory(network=network), 2025, size=size)
    for size in (10, 10, 10, 10, 20):
        make_import(PracticeFactory(), 2025, size=size)
    n, stats = _stats(2025, "Q1", "no_network")
    assert n == 5
    assert stats[MEDIAN, PATIENTS] in _published_median([1000, 1000, 1000, 1000, 2000])
    n, stats = _stats(2025, "Q1", "network", str(network.pk))
    assert n == 5
    assert stats[MEDIAN, PATIENTS] in _published_median([100, 200, 300, 400, 500])
    assert _stats(2025, "Q1")[0] == 10


def test_groups_follow_the_practice_s_current_network_after_a_full_recompute():
    old, new = NetworkFactory(), NetworkFactory()
    movers = [PracticeFactory(network=old) for _ in range(5)]
    for practice in movers:
        make_import(practice, 2025)
    assert _stats(2025, "Q1", "network", str(old.pk))[0] == 5
    for practice in movers:
        practice.network = new
        practice.save()
    call_command("recompute_statistics", verbosity=0)
    assert not GroupStatistics.objects.filter(kind="network", key=str(old.pk)).exists()
    assert _stats(2025, "Q1", "network", str(new.pk))[0] == 5


def test_a_small_group_stores_no_statistics_at_all():
    network = NetworkFactory()
    for size in range(1, 5):
        make_import(PracticeFactory(network=network), 2025, size=size)
    n, stats = _stats(2025, "Q1", "network", str(network.pk))
    assert n == 4 and stats is None


def test_incremental_recomputes_give_exactly_what_a_full_recompute_gives():
    north, south = NetworkFactory(), NetworkFactory()
    practices = (
        [PracticeFactory(network=north, province="ZH") for _ in range(6)]
        + [PracticeFactory(network=south, province="GR") for _ in range(4)]
        + [PracticeFactory(province="NB") for _ in range(5)]
    )
    for i, practice in enumerate(practices):
        make_import(practice, 2024, size=1 + i % 4)
    for i, practice in enumerate(practices):
        make_import(practice, 2025, quarters=4 if i % 3 else 2, size=2 + i % 5)
    # Corrections of earlier years change later growth figures too.
    make_import(practices[0], 2024, size=7)
    make_import(practices[11], 2025, quarters=3, size=1)
    incremental = assert_a_full_recompute_changes_nothing()
    assert incremental[0]  # statistics were written


@pytest.fixture
def cycle_collections():
    """Every collection of the cycle collector while the test runs, with a threshold of one
    allocation, so that any stretch of work with the collector on sets one off."""
    found = []

    def count(phase, info):
        if phase == "start":
            found.append(info["generation"])

    old = gc.get_threshold()
    gc.callbacks.append(count)
    gc.set_threshold(1)
    try:
        yield found
    finally:
        gc.set_threshold(*old)
        gc.callbacks.remove(count)


def test_a_refresh_runs_without_the_cycle_collector_and_leaves_it_on(cycle_collections):
    # The collector scanned every live object again after each few hundred fetched rows: a
    # tenth of a national refresh (parabench.tasks.paused_cycle_collector).
    practices = _practices_in_blocks(6)
    for i, practice in enumerate(practices):
        make_import(practice, 2025, size=1 + i, recompute=False)
    ids = [p.pk for p in practices]
    cycle_collections.clear()
    recompute_practices(2025, ids)
    during = len(cycle_collections)
    # Calling and returning allocate a few objects with the collector on; the refresh itself
    # set off 20,000 collections at this threshold before it was paused (4 after).
    assert during <= 10, during
    assert gc.isenabled()
    assert _stats(2025, "Q1")[0] == 6


def _practices_in_blocks(count):
    """Practices in two regions (their ids spread however the sequence is at)."""
    return [PracticeFactory(province="ZH" if i % 2 else "UT") for i in range(count)]


def test_an_incremental_recompute_also_takes_along_rows_other_practices_stored_since():
    practices = _practices_in_blocks(8)
    for i, practice in enumerate(practices[:6]):
        make_import(practice, 2025, size=1 + i)
    # Two practices store without a recompute (their refresh is still waiting) ...
    waiting = [make_import(p, 2025, size=5, recompute=False) for p in practices[6:]]
    make_import(practices[0], 2025, size=3)
    # ... they count once their own recompute has marked their rows, as before.
    assert _stats(2025, "Q1")[0] == 6
    for imp in waiting:
        recompute_practices(imp.year, [imp.practice_id])
    assert _stats(2025, "Q1")[0] == 8
    assert_a_full_recompute_changes_nothing()


def test_the_uploader_s_refresh_notices_imports_removed_since_the_last_recompute():
    # A removed import leaves no row behind to find it by: the national group, computed with
    # it, is larger than the counted rows now, and the year is recomputed whole.
    practices = _practices_in_blocks(7)
    imports = [make_import(p, 2025, size=1 + i) for i, p in enumerate(practices)]
    Import.objects.filter(pk=imports[3].pk).delete()
    assert recompute_changed(2025) == {"years": [2025], "full": True}
    assert _stats(2025, "Q1")[0] == 6
    assert_a_full_recompute_changes_nothing()


def test_a_refresh_with_new_rows_also_notices_an_import_removed_elsewhere():
    # The refresh reads every counted row anyway and compares their number with what the
    # national group held; a removed row elsewhere makes it a full recompute, or the removed
    # practice's region (untouched by the practice that sent something) would keep it.
    practices = _practices_in_blocks(7)  # ZH: 1, 3, 5; UT: 0, 2, 4, 6
    imports = [make_import(p, 2025, size=1 + i) for i, p in enumerate(practices)]
    assert _stats(2025, "Q1", "region", "ZH")[0] == 3
    Import.objects.filter(pk=imports[3].pk).delete()
    make_import(practices[0], 2025, size=5, recompute=False)
    assert recompute_changed(2025) == {"years": [2025], "full": True}
    assert _stats(2025, "Q1", "region", "ZH")[0] == 2
    assert _stats(2025, "Q1")[0] == 6
    assert_a_full_recompute_changes_nothing()


def test_the_uploader_s_refresh_recomputes_only_the_practices_that_sent_something():
    practices = _practices_in_blocks(10)
    for i, practice in enumerate(practices):
        make_import(practice, 2024, size=1 + i)
        make_import(practice, 2025, size=2 + i)
    for i, practice in enumerate(practices[:2]):
        make_import(practice, 2024, size=7 + i, recompute=False)
    report = recompute_changed(2024)
    assert report == {"years": [2024, 2025], "full": False}
    assert recompute_changed(2024) == {"years": [], "full": False}
    assert_a_full_recompute_changes_nothing()


def test_the_uploader_s_refresh_recomputes_everything_when_most_of_the_year_is_new():
    practices = _practices_in_blocks(6)
    for i, practice in enumerate(practices):
        make_import(practice, 2025, size=1 + i, recompute=False)
    assert recompute_changed(2025) == {"years": [2025], "full": True}
    assert _stats(2025, "Q1")[0] == 6
    for practice in practices:
        make_import(practice, 2025, size=3, recompute=False)
    assert recompute_changed(2025)["full"]


def test_a_next_year_sent_in_the_same_burst_is_counted_by_its_own_refresh():
    # The refresh of 2024 also recomputes 2025 (growth) for the practices it handles; a
    # 2025 import that arrived in the same burst must still be found by 2025's own refresh.
    practices = _practices_in_blocks(10)
    for i, practice in enumerate(practices):
        make_import(practice, 2024, size=1 + i)
        make_import(practice, 2025, size=2 + i)
    make_import(practices[0], 2024, size=9, recompute=False)
    make_import(practices[0], 2025, size=9, recompute=False)
    recompute_changed(2024)
    recompute_changed(2025)
    uncounted = WindowValues.objects.filter(
        counted=False, imp__is_current=True, imp__status=Import.Status.IMPORTED
    )
    assert not uncounted.exists()
    assert_a_full_recompute_changes_nothing()


@pytest.mark.parametrize("small_elsewhere, published", [(5, True), (4, False)])
def test_a_size_group_within_a_province_is_published_when_both_wider_groups_differ_enough(
    small_elsewhere, published
):
    """ZH:klein (5 practices) lies in Zuid-Holland (10: 5 outside it) and in the small class
    (5 + ``small_elsewhere``): published when each wider group has k = 5 practices outside it."""
    from parabench.practices.provinces import Province

    for size in (1, 1, 1, 1, 1, 5, 5, 5, 5, 5):  # about 100 × size patients in Q1
        practice = PracticeFactory(province=Province.ZUID_HOLLAND)
        make_import(practice, 2026, quarters=1, size=size, recompute=False)
    for _ in range(small_elsewhere):
        practice = PracticeFactory(province=Province.NOORD_HOLLAND)
        make_import(practice, 2026, quarters=1, size=1, recompute=False)
    recompute_all()
    # The refresh after one more import (incremental) leaves what a full recompute writes.
    make_import(practice, 2026, quarters=1, size=1)
    assert_a_full_recompute_changes_nothing()
    n, stats = _stats(2026, "Q1", "region_size", "ZH:klein")
    assert n == 5
    assert (stats is not None) is published
    if published:
        assert stats[MEDIAN, PATIENTS] in _published_median([100] * 5)


def test_an_import_elsewhere_in_the_province_publishes_a_size_group_whose_rows_did_not_change():
    """ZH:klein (5 practices) has 4 ZH practices outside it: withheld (k = 5). A tenth ZH
    practice's first import lies in another class, yet gives ZH:klein its fifth practice
    outside: the incremental refresh must publish ZH:klein though none of its rows changed
    (``recompute._may_flip``), and may leave a group whose publication cannot move alone."""
    from parabench.practices.provinces import Province

    for size in (1, 1, 1, 1, 1, 5, 5, 5, 5):  # about 100 × size patients in Q1
        make_import(PracticeFactory(province=Province.ZUID_HOLLAND), 2026, 1, size, recompute=False)
    for _ in range(5):  # five small practices outside the province: the small class passes
        make_import(PracticeFactory(province=Province.NOORD_HOLLAND), 2026, 1, 1, recompute=False)
    for _ in range(6):  # UT:middel: nothing outside it in Utrecht, never published
        make_import(PracticeFactory(province=Province.UTRECHT), 2026, 1, 3, recompute=False)
    recompute_all()
    assert _stats(2026, "Q1", "region_size", "ZH:klein") == (5, None)
    untouched = GroupStatistics.objects.get(year=2026, window="Q1", key="UT:middel").computed_at

    make_import(PracticeFactory(province=Province.ZUID_HOLLAND), 2026, 1, 5)

    n, stats = _stats(2026, "Q1", "region_size", "ZH:klein")
    assert n == 5
    assert stats[MEDIAN, PATIENTS] in _published_median([100] * 5)
    after = GroupStatistics.objects.get(year=2026, window="Q1", key="UT:middel")
    assert (after.n, after.stats, after.computed_at) == (6, None, untouched)
    assert_a_full_recompute_changes_nothing()


def test_an_incremental_refresh_recomputes_the_old_size_group_of_a_practice_that_changed_class():
    """A practice re-sends its first quarter with five times the patients: it leaves the small
    class for the large one, and both groups (nationally and in its province) are refreshed."""
    from parabench.practices.provinces import Province

    practices = [PracticeFactory(province=Province.ZUID_HOLLAND) for _ in range(12)]
    for i, practice in enumerate(practices):
        make_import(practice, 2026, 1, 1 if i < 6 else 5, recompute=False)
    for _ in range(12):
        make_import(PracticeFactory(province=Province.UTRECHT), 2026, 1, 3, recompute=False)
    recompute_all()
    assert _stats(2026, "Q1", "size", "klein")[0] == 6

    make_import(practices[0], 2026, 1, 5)

    assert _stats(2026, "Q1", "size", "klein")[0] == 5
    assert _stats(2026, "Q1", "region_size", "ZH:klein")[0] == 5
    assert _stats(2026, "Q1", "size", "groot")[0] == 7
    assert_a_full_recompute_changes_nothing()


def test_the_refresh_after_a_1_0_import_leaves_the_reference_rates_alone_and_a_1_1_one_not():
    """The rates of a window move only with its counted rows with cells: an import without cells
    that replaces one without cells leaves every window's rates row as it was."""
    from parabench_format.models import FORMAT_1_1

    practices = [PracticeFactory() for _ in range(6)]
    for practice in practices:
        make_import(practice, 2026, 2, 2, recompute=False, format_version=FORMAT_1_1)
    plain = PracticeFactory()
    make_import(plain, 2026, 2, 2, recompute=False)
    recompute_all()
    before = dict(ReferenceRates.objects.values_list("window", "computed_at"))
    assert set(before) == {"Q1", "Q2", "Q1-Q2"}

    newer = make_import(plain, 2026, 2, 3)  # 1.0 again, counting now: no cells before or after
    counted = WindowValues.objects.filter(practice=plain, counted=True)
    assert set(counted.values_list("imp", flat=True)) == {newer.pk}
    assert dict(ReferenceRates.objects.values_list("window", "computed_at")) == before

    # A newer export of the first quarter only: it counts for Q1, the older one for the rest.
    later = datetime(2026, 8, 1, tzinfo=UTC)
    make_import(practices[0], 2026, 1, 3, exported_at=later, format_version=FORMAT_1_1)
    after = dict(ReferenceRates.objects.values_list("window", "computed_at"))
    assert after["Q1"] > before["Q1"]
    assert (after["Q2"], after["Q1-Q2"]) == (before["Q2"], before["Q1-Q2"])
    assert_a_full_recompute_changes_nothing()


# --- The national case-mix reference rates (docs/statistics.md §9) -------------------------------


def _rates(year, window):
    from parabench.benchmark import casemix, layout

    row = ReferenceRates.objects.get(year=year, window=window)
    return row.n, casemix.unpack_rates(layout.vector(row.rates, row.layout_id, casemix.RATE_NAMES))[
        0
    ]


def test_the_reference_rates_take_each_practice_once_by_its_counted_row_and_only_from_1_1():
    from parabench.benchmark import casemix
    from parabench_format.models import FORMAT_1_1

    practices = [PracticeFactory() for _ in range(6)]
    for size, practice in enumerate(practices[:5], start=1):
        make_import(practice, 2026, size=size, format_version=FORMAT_1_1)
    n, rates = _rates(2026, "Q1-Q4")
    assert n == 5
    # The test template's cell (not chronic, spine, 18–44): 3 sessions in every practice.
    spine = casemix.CELLS.index(("non_chronic", "spine", "age_18_44"))
    assert rates["sessions"][spine] == 3.0
    # A sixth practice on 1.0 takes part in the KPI groups, not in the rates.
    make_import(practices[5], 2026, size=1)
    assert _rates(2026, "Q1-Q4")[0] == 5
    # A newer 1.0 export of a 1.1 practice is its counted row: its older cells no longer count.
    make_import(practices[0], 2026, size=1, exported_at=datetime(2027, 3, 1, tzinfo=UTC))
    assert _rates(2026, "Q1-Q4")[0] == 4
    assert GroupStatistics.objects.get(year=2026, window="Q1-Q4", kind="national").n == 6
    assert_a_full_recompute_changes_nothing()


@pytest.mark.django_db(databases=[])
def test_the_counts_per_cell_give_every_group_by_kind_and_wider_group_its_own_counts():
    rng = np.random.default_rng(7)
    provinces, sizes, profiles = ["ZH", "UT", ""], ["klein", "groot", ""], ["kinderen", ""]
    members = {
        pk: groups.Membership(rng.choice(provinces), None, rng.choice(profiles), rng.choice(sizes))
        for pk in range(100, 400)
    }
    ids = np.array(sorted(members), dtype=np.int64)
    member_keys = (ids, groups.row_keys([members[int(pk)] for pk in ids]))
    practices = np.sort(rng.choice(ids, size=200, replace=False))  # a window's rows
    present = rng.random((practices.size, 4)) < 0.8
    at = _positions(member_keys, practices)
    counts = _cell_counts(_member_cells(member_keys), at, present)
    keys = _row_keys(member_keys, at)
    split = groups.split(keys)
    wanted = [g for g in split if g.kind in (*groups.BY_KIND, "national", "region")]
    assert {g.kind for g in wanted} == {*groups.BY_KIND, "national", "region"}
    for group in wanted:
        n, columns = _counts_of(counts, group)
        rows = split[group]
        assert (n, columns.tolist()) == (rows.size, present[rows].sum(axis=0).tolist()), group


def test_the_warmed_weights_are_every_size_a_recompute_of_the_latest_year_computes():
    for i in range(12):
        practice = PracticeFactory(province="ZH" if i % 2 else "GR")
        make_import(practice, 2025, size=1 + i % 5, recompute=False)
    hd_window.cache_clear()
    assert warm_weights() == 0  # nothing stored yet: nothing to warm
    recompute_all()
    hd_window.cache_clear()
    warmed = warm_weights()
    assert warmed > 0 and hd_window.cache_info().currsize == warmed
    before = hd_window.cache_info()
    recompute_all(years=[2025])  # the same rows: the same sizes, none of them new
    after = hd_window.cache_info()
    assert after.misses == before.misses and after.hits > before.hits


def test_only_a_worker_that_runs_the_statistics_queue_warms_the_weights():
    from parabench.tasks import worker_starting

    for i in range(6):
        make_import(PracticeFactory(), 2025, size=1 + i % 3)
    for queues, warms in ((["default"], False), (["statistics"], True), (["*"], True)):
        hd_window.cache_clear()
        worker_starting.send(sender=None, queues=queues)
        assert (hd_window.cache_info().currsize > 0) is warms, queues


@pytest.mark.parametrize("members", [3, 999, 1000, 10_001], ids=lambda n: f"{n} members")
def test_a_sort_split_over_two_threads_sorts_every_column_as_numpy_does(members):
    """``_sort_rows`` (an incremental refresh's sorts of large groups): the same values in the
    same places as one ``np.sort``, NaN last, signed zeros and ties included."""
    rng = np.random.default_rng(members)
    matrix = rng.normal(size=(163, members)).round(1)  # ties
    matrix[rng.random(matrix.shape) < 0.2] = np.nan
    matrix[5, : members // 2] = -0.0
    expected = np.sort(matrix, axis=1)
    with ThreadPoolExecutor(max_workers=1) as helper:
        _sort_rows(matrix, helper)
    assert matrix.tobytes() == expected.tobytes()


def test_a_read_ahead_shortens_the_switch_interval_and_gives_it_back_even_on_an_error():
    before = sys.getswitchinterval()
    with pytest.raises(ZeroDivisionError), _short_switches():
        assert sys.getswitchinterval() < before
        1 / 0  # noqa: B018
    assert sys.getswitchinterval() == before


def test_two_read_aheads_that_overlap_leave_the_switch_interval_as_it_was():
    """Two refreshes in two threads of one process (a test, a shell) end in either order."""
    before = sys.getswitchinterval()
    first, second = _short_switches(), _short_switches()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert sys.getswitchinterval() < before  # the second is still reading
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
