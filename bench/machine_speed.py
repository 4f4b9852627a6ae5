"""How fast each core of this machine runs the same work, second by second.

One process per core (pinned), each timing a fixed pure-Python loop again and again by its own
CPU clock (``time.thread_time``): the time the core took to run it, not the time it waited to
run. On a machine that is ours alone every loop costs about the same. On this shared virtual
machine the same loop cost 3.8 ms of CPU at one moment and 8.5 ms at another, each core on
its own, in phases of a fraction of a second up to 19 seconds (session 27): the host gives the
core less speed without taking it away (no ``steal`` in /proc/stat). A benchmark's absolute
figures (uploads/s) and its slowest 10 seconds move with that; run this before or after one to
see the machine of the moment.

Run it on an otherwise idle machine (it keeps every core busy): ``.venv/bin/python -m
bench.machine_speed [--seconds 60]``.
"""

import argparse
import itertools
import multiprocessing
import os
import statistics
import time

from bench.common import python_loop

# One loop: half the probe's (``bench.common.machine_probe``), about 4 ms of CPU at best here.
LOOP = 100_000
# A loop this much slower than the core's fastest counts as a slow phase.
SLOW = 1.5
WINDOW = 10  # seconds, as the topology's "slowest 10 s"


def _loops(core: int, seconds: float) -> list[tuple[float, float]]:
    """(wall-clock time, CPU ms) of each loop run back to back on ``core`` for ``seconds``."""
    os.sched_setaffinity(0, {core})
    timed, deadline = [], time.time() + seconds
    while time.time() < deadline:
        started = time.thread_time()
        python_loop(LOOP)
        timed.append((time.time(), (time.thread_time() - started) * 1000))
    return timed


def summary(timed: list[tuple[float, float]]) -> dict:
    """Percentiles of the loops' CPU ms, the share and the longest of the slow phases, and the
    mean loop of each 10-second window."""
    costs = [ms for _at, ms in timed]
    twentieths = statistics.quantiles(costs, n=20)
    fastest = min(costs)

    def is_slow(loop: tuple[float, float]) -> bool:
        return loop[1] >= SLOW * fastest

    # Each phase (a run of slow or of fast loops) lasts from its first loop to the next phase's
    # first, the last one to the last loop.
    starts = [(slow, next(group)[0]) for slow, group in itertools.groupby(timed, key=is_slow)]
    ends = [at for _slow, at in starts[1:]] + [timed[-1][0]]
    slow_phases = [end - began for (slow, began), end in zip(starts, ends, strict=True) if slow]
    windows: dict[int, list[float]] = {}
    for at, ms in timed:
        windows.setdefault(int((at - timed[0][0]) // WINDOW), []).append(ms)
    return {
        "loops": len(costs),
        "min_ms": fastest,
        "p50_ms": twentieths[9],
        "p95_ms": twentieths[18],
        "slow_share": sum(map(is_slow, timed)) / len(costs),
        "longest_slow_s": max(slow_phases, default=0.0),
        "window_means_ms": [statistics.mean(part) for _n, part in sorted(windows.items())],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    with multiprocessing.Pool(len(cores)) as pool:
        timed = pool.starmap(_loops, [(core, args.seconds) for core in cores])
    print(f"{LOOP:,}-step loop, CPU ms, {args.seconds:.0f} s; slow: ≥ {SLOW}× the core's fastest")
    for core, loops in zip(cores, timed, strict=True):
        s = summary(loops)
        windows = ", ".join(f"{ms:.1f}" for ms in s["window_means_ms"])
        print(
            f"core {core}: {s['loops']} loops, min {s['min_ms']:.2f}, p50 {s['p50_ms']:.2f}, "
            f"p95 {s['p95_ms']:.2f}; slow {s['slow_share']:.0%} of loops, longest slow phase "
            f"{s['longest_slow_s']:.1f} s; mean of each {WINDOW} s: {windows}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
