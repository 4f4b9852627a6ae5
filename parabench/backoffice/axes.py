"""django-axes' records named in the operator's language.

The back office names a record by str() in its titles, breadcrumbs, history and the screen
reader's label of each row's checkbox; django-axes writes those names as English f-strings
("Access Log for anna @ 2026-11-29 ..."), which no catalogue reaches. These say the same in
Dutch (English through parabench/locale/en), with the time as the back office writes times.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils import formats, timezone
from django.utils.translation import gettext


def _time(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def access_attempt_name(attempt: AccessAttempt) -> str:
    return gettext("Toegangspoging van %(username)s op %(time)s") % {
        "username": attempt.username,
        "time": _time(attempt.attempt_time),
    }


def access_log_name(log: AccessLog) -> str:
    return gettext("Toegangslog van %(username)s op %(time)s") % {
        "username": log.username,
        "time": _time(log.attempt_time),
    }


def access_failure_name(failure: AccessFailureLog) -> str:
    if failure.locked_out:
        text = gettext("Mislukte toegang (geblokkeerd) van %(username)s op %(time)s vanaf %(ip)s")
    else:
        text = gettext("Mislukte toegang van %(username)s op %(time)s vanaf %(ip)s")
    return text % {
        "username": failure.username,
        "time": _time(failure.attempt_time),
        "ip": failure.ip_address,
    }


def name_records_in_the_operators_language() -> None:
    AccessAttempt.__str__ = access_attempt_name
    AccessLog.__str__ = access_log_name
    AccessFailureLog.__str__ = access_failure_name
