"""Keep the CRL file a proxy reads fresh.

A CRL says until when it is valid (``nextUpdate``, 7 days after issue). Once that moment passes,
OpenSSL, and so nginx, refuses *every* client certificate. The file is therefore re-issued every
day (``CRL_REISSUE_INTERVAL``), which leaves six days to notice a stopped worker, and right after
each block. Each run schedules the next one, so one enqueue (``manage.py reissue_crl --schedule``,
or ``ensure_crl_schedule()`` at worker start) keeps the chain going.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from parabench.certificates.lookup import current_crl
from parabench.tasks import enqueue_once, uses_database_backend

CRL_REISSUE_INTERVAL = dt.timedelta(days=1)


def write_crl(path: Path | None = None) -> Path:
    """Write the current CRL atomically: a proxy reloading mid-write never reads half a file."""
    path = Path(path or settings.CA_CRL_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(current_crl("pem"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def ensure_crl_schedule() -> bool:
    """Enqueue the next daily run unless one is already waiting; True when it enqueued one."""
    if not uses_database_backend():
        return False
    next_run = reissue_crl.using(run_after=timezone.now() + CRL_REISSUE_INTERVAL)
    return enqueue_once(next_run, scheduled=True)


@task()
def reissue_crl(scheduled: bool = False) -> str:
    """Re-issue the CRL file; a scheduled run also books the next one. Idempotent."""
    path = write_crl()
    if scheduled:
        ensure_crl_schedule()
    return str(path)


# --- Expiry e-mails (60/30/7 days before), daily like the CRL ------------------------------------

EXPIRY_NOTICE_INTERVAL = dt.timedelta(days=1)


def ensure_expiry_schedule() -> bool:
    """Enqueue tomorrow's expiry-notice run unless one is already waiting."""
    if not uses_database_backend():
        return False
    next_run = send_expiry_notices.using(run_after=timezone.now() + EXPIRY_NOTICE_INTERVAL)
    return enqueue_once(next_run, scheduled=True)


@task()
def send_expiry_notices(scheduled: bool = False) -> int:
    """Send the expiry e-mails that are due; a scheduled run books the next. Idempotent."""
    from parabench.certificates.expiry import send_expiry_notices as send_due

    sent = send_due()
    if scheduled:
        ensure_expiry_schedule()
    return sent
