"""Opt-in e-mails: an upload imported, and a theme's verdict moved — only to users who asked,
only of their own practice, never a group figure."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from parabench.benchmark.recompute import recompute_practices
from parabench.notifications import notices
from parabench.notifications.models import Preference, ThemeVerdicts
from parabench.notifications.tasks import notify_verdicts, statistics_caught_up
from parabench.practices.models import Practice
from parabench.uploads import importer
from parabench_format import validate_export
from tests.accounts.tasks import run_queued_tasks
from tests.benchmark.factories import export_dict, make_import, store_imported
from tests.factories import PracticeFactory, UserFactory
from tests.uploads.factories import upload_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def peers(practice_a, practice_b):
    for size, practice in enumerate([practice_b] + [PracticeFactory() for _ in range(5)], 2):
        make_import(practice, 2025, size=size, recompute=False)


def _opt_in(user, **flags):
    Preference.objects.update_or_create(user=user, defaults=flags)


def test_nobody_is_mailed_who_did_not_opt_in(peers, practice_a, user_a, mailoutbox):
    imp = make_import(practice_a, 2025)
    assert notices.send_imported(imp) == 0
    assert mailoutbox == []


def test_an_opted_in_user_gets_the_dashboard_link_of_its_own_import_only(
    peers, practice_a, user_a, user_b, mailoutbox
):
    _opt_in(user_a, on_import=True)
    _opt_in(user_b, on_import=True)  # another practice: its own imports only
    colleague = UserFactory(practice=practice_a)  # same practice, not opted in
    imp = make_import(practice_a, 2025)
    assert notices.send_imported(imp) == 1
    (mail,) = mailoutbox
    assert mail.to == [user_a.email] and colleague.email not in mail.to
    assert reverse("dashboard:detail", args=[imp.pk]) in mail.body
    assert "2025" in mail.subject


def test_the_first_import_sets_the_verdicts_and_a_moved_theme_is_mailed(
    peers, practice_a, user_a, mailoutbox
):
    _opt_in(user_a, on_verdict=True)
    imp = make_import(practice_a, 2025)
    assert notices.send_verdict_changes(imp) == []
    assert mailoutbox == []
    now = ThemeVerdicts.objects.get(practice=practice_a).states
    # The verdicts the practice saw before: one theme otherwise.
    theme = next(iter(now))
    before = "better" if now[theme] != "better" else "worse"
    ThemeVerdicts.objects.filter(practice=practice_a).update(states={**now, theme: before})

    assert notices.send_verdict_changes(imp) == [theme]
    (mail,) = mailoutbox
    assert theme in mail.subject and "→" in mail.body
    assert reverse("dashboard:detail", args=[imp.pk]) in mail.body
    # Nothing but the practice's own verdicts: no group figure in the mail.
    assert "mediaan" not in mail.body.lower() and "P25" not in mail.body


def test_an_older_import_does_not_move_what_the_practice_sees_first(
    peers, practice_a, user_a, mailoutbox
):
    _opt_in(user_a, on_verdict=True)
    older = make_import(practice_a, 2024)
    make_import(practice_a, 2025)
    assert notices.send_verdict_changes(older) == []
    assert not ThemeVerdicts.objects.filter(practice=practice_a).exists()


def test_the_verdict_notice_waits_until_the_statistics_include_the_import(peers, practice_a):
    imp = make_import(practice_a, 2025)
    assert statistics_caught_up(imp)
    imp.imported_at += timedelta(days=365 * 10)  # as if the refresh had not run yet
    imp.save(update_fields=["imported_at"])
    assert not statistics_caught_up(imp)
    assert notify_verdicts.call([imp.pk]) == "waiting for the statistics"
    assert not ThemeVerdicts.objects.exists()


def test_of_a_batch_only_the_imports_the_statistics_do_not_include_yet_wait_for_them(
    peers, practice_a
):
    counted = make_import(practice_a, 2025)
    late = make_import(PracticeFactory(), 2025, recompute=False)
    late.imported_at += timedelta(days=365 * 10)  # as if the refresh had not run yet
    late.save(update_fields=["imported_at"])

    assert notify_verdicts.call([counted.pk, late.pk]) == "moved: nothing"
    assert ThemeVerdicts.objects.filter(imp=counted).exists()
    assert not ThemeVerdicts.objects.filter(imp=late).exists()
    (later,) = DBTaskResult.objects.filter(task_path=notify_verdicts.module_path)
    assert later.args_kwargs["args"] == [[late.pk], 2]


def test_profiel_lets_each_user_opt_in_for_itself(client_a, user_a, user_b):
    page = client_a.get(reverse("practices:profile")).content.decode()
    assert 'id="berichten"' in page
    client_a.post(reverse("notifications:preferences"), {"on_import": "on"})
    assert Preference.objects.get(user=user_a).on_import
    assert not Preference.objects.get(user=user_a).on_verdict
    assert not Preference.objects.filter(user=user_b).exists()


def test_opting_in_makes_the_verdicts_seen_now_the_baseline(peers, practice_a, client_a):
    older, newest = make_import(practice_a, 2024), make_import(practice_a, 2025)
    # Left from long ago, when someone else of the practice was told (no task has kept it since).
    ThemeVerdicts.objects.create(practice=practice_a, imp=older, states={"Kwaliteit": "better"})
    client_a.post(reverse("notifications:preferences"), {"on_verdict": "on"})
    seen = ThemeVerdicts.objects.get(practice=practice_a)
    assert seen.imp == newest
    assert seen.states == notices.theme_states(newest) and "Kwaliteit" in seen.states


def test_opting_in_keeps_the_baseline_of_a_colleague_who_is_told_already(
    peers, practice_a, client_a
):
    imp = make_import(practice_a, 2025)
    _opt_in(UserFactory(practice=practice_a), on_verdict=True)
    ThemeVerdicts.objects.create(practice=practice_a, imp=imp, states={"Kwaliteit": "better"})
    client_a.post(reverse("notifications:preferences"), {"on_verdict": "on"})
    assert ThemeVerdicts.objects.get(practice=practice_a).states == {"Kwaliteit": "better"}


def _no_shows_export(agb: str, tenths: int) -> dict:
    """A year of the factory's export with ``tenths``/10 times its no-shows."""
    document = export_dict(agb, 2025)
    for part in document["windows"]:
        part["sessions"]["no_shows"] = part["sessions"]["no_shows"] * tenths // 10
    for month in document["trend"]:
        month["no_shows"] = month["no_shows"] * tenths // 10
    return document


def test_a_verdict_that_moves_after_opting_in_is_mailed_once(
    practice_a, user_a, client_a, mailoutbox
):
    # Peers that differ (no-shows 0.8-1.6 times the template's), so verdicts are possible.
    for i in range(9):
        peer = PracticeFactory()
        export = validate_export(_no_shows_export(peer.agb_code, 8 + i)).export
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
        store_imported(peer, export, moment=moment, key=f"peer-{i}")
    make_import(practice_a, 2025)
    recompute_practices(2025, list(Practice.objects.values_list("pk", flat=True)))
    client_a.post(reverse("notifications:preferences"), {"on_verdict": "on"})
    baseline = ThemeVerdicts.objects.get(practice=practice_a).states
    assert baseline["Productiviteit"] == "within"

    # Five times the no-shows of the template, through the real importer and its queued tasks.
    imp = upload_export(practice_a, _no_shows_export(practice_a.agb_code, 50))
    importer.import_upload.call(imp.pk)
    while run_queued_tasks():  # the statistics refresh; the verdict task waits for it
        pass
    (mail,) = mailoutbox
    assert "Productiviteit" in mail.subject and mail.to == [user_a.email]
    assert ThemeVerdicts.objects.get(practice=practice_a).states["Productiviteit"] == "worse"

    assert notify_verdicts.call(imp.pk) == "moved: nothing"  # told once: the baseline moved on
    assert len(mailoutbox) == 1
