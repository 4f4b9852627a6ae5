"""Background tasks: the few rules every app's tasks share (django-tasks, database backend).

A leaf module: it imports no app of ParaBench, so every app may use it without a cycle.
"""

import ctypes
import ctypes.util
import functools
import gc
import json
import os
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.dispatch import Signal
from django_tasks import TaskResultStatus

from parabench import plain_rows

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"

# Sent by the worker command (``manage.py import_worker``) before it takes its first task: each
# app sweeps up what a worker that died left behind, without the worker knowing the apps.
# ``queues``: the queue names the worker runs ("*": every queue).
worker_starting = Signal()


def uses_database_backend() -> bool:
    return settings.TASKS["default"]["BACKEND"] == DATABASE_BACKEND


def enqueue_plainly(task, *args) -> None:
    """Queue ``task(*args)`` as the database backend's ``enqueue`` stores it, in one plain
    INSERT (``plain_rows.insert``); other backends enqueue as usual.

    Why: the uploader queues an import for every upload, and the backend's ORM ``create`` cost
    0.54 ms of CPU per call against 0.29 ms this way (PostgreSQL, one process, 2026-11-30).
    What it leaves out is the backend's ``task_enqueued`` signal, whose only receiver is
    django-tasks' debug log line. ``tests/test_tasks.py`` compares the rows both ways write.
    """
    if not uses_database_backend():
        task.enqueue(*args)
        return
    plain_rows.insert(task_row(task, *args))


def task_row(task, *args):
    """The row of the database backend's ``enqueue(task, *args)``, not saved yet."""
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    backend.validate_task(task)
    return DBTaskResult(
        args_kwargs=_canonical({"args": list(args), "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,
        backend_name=backend.alias,
    )


def _waiting(task):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=task.module_path)


def waiting_first_args(task) -> set:
    """The first argument of every call of ``task`` waiting to run, now or later."""
    found = _waiting(task).values_list("args_kwargs", flat=True)
    return {args[0] for args_kwargs in found if (args := (args_kwargs or {}).get("args"))}


def close_waiting(task, first_args, return_value: str, now) -> None:
    """Mark the waiting calls of ``task`` whose first argument is in ``first_args`` done, with
    ``return_value``: for work another task did already (a batch), so that no worker claims,
    runs and closes each of them only to find it done. A running call is left alone."""
    _waiting(task).filter(args_kwargs__args__0__in=list(first_args)).update(
        status=TaskResultStatus.SUCCESSFUL,
        started_at=now,
        finished_at=now,
        return_value=return_value,
        exception_class_path="",
        traceback="",
    )


def _canonical(value):
    """``value`` as the database backend stores it (tuples become lists), every object's keys
    sorted: one text for one value, so that SQLite, which compares JSON as text, finds a twin
    whatever the order its keyword arguments or dicts were written in."""
    return json.loads(json.dumps(value, sort_keys=True))


def enqueue_once(task, *args, **kwargs) -> bool:
    """Queue ``task(*args, **kwargs)`` unless the same call is already waiting to run.

    Why: work that follows from many events (a burst of imports, a whole network moved, the
    daily CRL) must run once after them, not once per event. "Waiting" means queued and not yet
    claimed by a worker: a call that is already running may have started before the event, so
    it does not count. ``task`` may carry options (``task.using(run_after=...)``). Returns True
    when it queued one. Call it inside the transaction that causes the work, so that the cause
    is never committed without its task.

    The twin is looked for in SQL, on the stored ``args_kwargs`` (one EXISTS query, however many
    calls wait). PostgreSQL stores it as jsonb and compares structurally; SQLite stores the JSON
    text and compares ``JSON_EXTRACT`` of each side, minified but in written order. So the call
    is queued in canonical form (``_canonical``: keys sorted), and a twin queued by
    ``enqueue_once`` is always found on both; one queued with a plain ``enqueue`` and a dict in
    another key order is found on PostgreSQL only (on SQLite it runs twice, which is harmless).
    JSON types count: ``1`` and ``True`` are different calls.
    """
    if uses_database_backend():
        args, kwargs = _canonical(list(args)), _canonical(kwargs)
        if _waiting(task).filter(args_kwargs__args=args, args_kwargs__kwargs=kwargs).exists():
            return False
    task.enqueue(*args, **kwargs)
    return True


def worker_id(suffix: str) -> str:
    """A worker id that says where the worker runs: ``host:pid:suffix`` (at most 64 characters).

    Lets a sweep (``benchmark.tasks.requeue_stale_refreshes``) tell a task whose worker died
    from one that is still busy.
    """
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{suffix[:20]}"


def worker_alive(worker: str, started_at, now) -> bool:
    """Whether the worker that claimed a task may still be running it.

    On this host the process id answers it; for a worker elsewhere (or one with an id of
    another form) only time does: after TASKS_STALE_AFTER_SECONDS it is taken for dead.
    A task that was merely slow then runs twice: sweep only idempotent tasks.
    """
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname()[:30] and pid.isdigit():
        if int(pid) == os.getpid():
            return True
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    limit = timedelta(seconds=settings.TASKS_STALE_AFTER_SECONDS)
    return started_at is None or now - started_at < limit


@contextmanager
def paused_cycle_collector():
    """Python's cycle collector paused for one piece of bulk work (reference counting still
    frees everything that is not a cycle); it runs again afterwards.

    Why: bulk work allocates hundreds of thousands of tracked objects (fetched rows are tuples)
    and each allocation threshold set off a collection that scanned every live object of the
    process again — work that makes no cycles worth collecting. A national incremental
    statistics refresh spent 0.1–0.35 s of its 0.8–1.7 s there (155–285 collections per
    refresh, ``gc.callbacks``). In a worker the task's end collects anyway
    (``return_freed_memory``).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def return_freed_memory() -> None:
    """After a big task: collect what only cycles hold, and give freed heap back to the system.

    Why: a worker process lives for days, and glibc keeps what a task freed (a national refresh
    frees tens of megabytes of matrices and row bytes) in its heap for later, so the next task
    started from a higher resident size instead of from the worker's own (issue 18: the
    statistics worker over 300 MB). ``malloc_trim`` exists in glibc only; elsewhere this only
    collects.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, looked up once (``find_library`` reads ``ldconfig -p``)."""
    return _libc_function("malloc_trim")


@functools.cache
def _mallopt():
    """glibc's ``mallopt``, looked up once; None elsewhere."""
    return _libc_function("mallopt")


def _libc_function(name: str):
    library = ctypes.util.find_library("c")
    return None if library is None else getattr(ctypes.CDLL(library), name, None)


# glibc's ``mallopt`` parameters (malloc.h) and the value both thresholds start from.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_GLIBC_THRESHOLD = 128 * 1024
_KEPT_MMAP_THRESHOLD = 64 * 1024 * 1024  # arrays up to this size come from the heap
_KEPT_TRIM_THRESHOLD = 1024 * 1024 * 1024  # and what they free stays there


class HeldSetting:
    """A process-wide setting applied when its first holder takes it and undone when its last
    holder lets go, whichever thread that is: two refreshes in two threads of one process (a
    test, a shell) begin and end in either order, and a setting undone by the one that began
    first would be gone under the other."""

    def __init__(self, apply, undo):
        self._apply, self._undo = apply, undo
        self._holders = 0
        self._lock = threading.Lock()

    @contextmanager
    def held(self):
        """Hold the setting; yields whether this holder applied it (the first one)."""
        with self._lock:
            self._holders += 1
            first = self._holders == 1
            if first:
                self._apply()
        try:
            yield first
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    self._undo()


def _keep_heap(mmap_threshold: int, trim_threshold: int) -> None:
    mallopt = _mallopt()
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
        mallopt(_M_TRIM_THRESHOLD, trim_threshold)


_KEPT_HEAP = HeldSetting(
    lambda: _keep_heap(_KEPT_MMAP_THRESHOLD, _KEPT_TRIM_THRESHOLD),
    lambda: _keep_heap(_GLIBC_THRESHOLD, _GLIBC_THRESHOLD),
)


@contextmanager
def kept_heap():
    """glibc keeps the memory freed during one piece of bulk numpy work for that work's next
    arrays, instead of giving each multi-megabyte array back to the system when it is freed and
    taking the next one anew, page fault by page fault. Yields whether it changed anything
    (glibc, and not already inside another ``kept_heap``).

    Why: a statistics refresh makes and frees hundreds of temporary arrays of 1–20 MB (a
    window's matrices, every group's sorted copy, the case-mix terms). With glibc's defaults
    most of them were mapped and unmapped again each time: a national refresh with case-mix
    cells spent 0.13–0.16 s of its 0.77–0.81 s CPU so (``casemix.indices`` alone 13.1 → 7.4 ms
    a call). What is kept is what the work itself freed, so the peak stays that of the work's
    largest moment. Afterwards both thresholds are glibc's starting 128 KiB again (fixed from
    then on: setting one ends glibc's own adjustment), the next free at the top of the heap
    gives back what is left there, and a worker trims the rest after the task
    (``return_freed_memory``).
    """
    with _KEPT_HEAP.held() as first:
        yield first and _mallopt() is not None
