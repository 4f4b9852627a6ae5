"""The two notifications (opt-in per user, Profiel): an upload was imported, and an import moved
a theme's verdict. Only the practice's own dashboard, its own verdicts and a link: no group
figure is ever e-mailed (docs/privacy.md)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from parabench.accounts.models import User
from parabench.dashboard import pages
from parabench.dashboard.verdicts import SYMBOLS
from parabench.notifications.models import ThemeVerdicts
from parabench.uploads.models import Import


def _opted_in(flag: str):
    """Active users with an address who opted in to ``flag``."""
    users = User.objects.filter(is_active=True, **{f"notification_preference__{flag}": True})
    return users.exclude(email="")


def recipients(practice, flag: str) -> list[str]:
    """E-mail addresses of the practice's active users who opted in to ``flag``."""
    return sorted(_opted_in(flag).filter(practice=practice).values_list("email", flat=True))


def practices_opted_in(practice_ids, flag: str) -> set[int]:
    """Of these practices, the ones with a user who opted in to ``flag``: one query for a whole
    imported batch, where asking ``recipients`` per import was a query per import (most
    practices opted in to nothing)."""
    found = _opted_in(flag).filter(practice_id__in=list(practice_ids))
    return set(found.values_list("practice_id", flat=True).distinct())


def dashboard_link(imp) -> str:
    return settings.PORTAL_URL + reverse("dashboard:detail", kwargs={"import_id": imp.pk})


def _send(subject: str, template: str, context: dict, to: list[str]) -> None:
    send_mail(subject, render_to_string(template, context), settings.DEFAULT_FROM_EMAIL, to)


def send_imported(imp) -> int:
    """An upload was imported: when, which period, and the link to its dashboard."""
    to = recipients(imp.practice, "on_import")
    if not to:
        return 0
    with translation.override("nl"):
        _send(
            _("Uw upload is ingelezen: %(year)s") % {"year": imp.year},
            "notifications/email/imported.txt",
            {"imp": imp, "practice": imp.practice, "link": dashboard_link(imp)},
            to,
        )
    return len(to)


def theme_states(imp) -> dict[str, str]:
    """Theme → state of the import's welcome symbols against the national group."""
    with translation.override("nl"):
        context = pages.dashboard_page(imp, "national", "welcome")
    return {str(item["symbol"].tab.label): item["symbol"].state for item in context["symbols"]}


def _symbol(state: str) -> str:
    symbol, label = SYMBOLS[state]
    return f"{symbol} {label}"


def newest_dashboard(practice):
    """The import the Dashboard menu opens: what "the verdict" of a practice means."""
    return (
        Import.objects.filter(practice=practice, status=Import.Status.IMPORTED)
        .order_by("-is_current", "-period_end", "-imported_at", "-id")
        .first()
    )


def verdicts_opted_in(user, practice) -> None:
    """``user`` just turned the verdict e-mails on. When no colleague gets them already, the
    verdicts the practice sees now (its newest dashboard) become what later imports are compared
    with: verdict tasks are queued only while someone opted in, so a baseline kept from earlier
    may be months old, and the first e-mail must report a change since the user asked, not since
    then. While a colleague is told already the baseline is theirs and stays (a change they are
    about to be told of is not swallowed). No dashboard yet: no baseline, the first import sets
    it."""
    if _opted_in("on_verdict").filter(practice=practice).exclude(pk=user.pk).exists():
        return
    newest = newest_dashboard(practice)
    if newest is None:
        ThemeVerdicts.objects.filter(practice=practice).delete()
        return
    ThemeVerdicts.objects.update_or_create(
        practice=practice, defaults={"imp": newest, "states": theme_states(newest)}
    )


def send_verdict_changes(imp) -> list[str]:
    """Compare the import's theme verdicts with the ones last seen for the practice; e-mail the
    themes that moved (the first import only sets the baseline). Only for the practice's newest
    dashboard: an older year re-sent does not move what the practice sees first."""
    practice = imp.practice
    newest = newest_dashboard(practice)
    if newest is None or newest.pk != imp.pk:
        return []
    now = theme_states(imp)
    seen = ThemeVerdicts.objects.filter(practice=practice).first()
    moved = []
    if seen is not None:
        moved = [t for t, state in now.items() if seen.states.get(t) not in (None, state)]
    ThemeVerdicts.objects.update_or_create(practice=practice, defaults={"imp": imp, "states": now})
    to = recipients(practice, "on_verdict")
    if moved and to:
        with translation.override("nl"):
            changes = [
                {
                    "theme": theme,
                    "before": _symbol(seen.states[theme]),
                    "after": _symbol(now[theme]),
                }
                for theme in moved
            ]
            _send(
                _("Het oordeel over %(themes)s is veranderd") % {"themes": ", ".join(moved)},
                "notifications/email/verdicts.txt",
                {"imp": imp, "practice": practice, "changes": changes, "link": dashboard_link(imp)},
                to,
            )
    return moved
