"""CPU of each role of the production topology, second by second, while ``bench_topology`` runs.

Why: ``bench_topology`` gives each role's CPU over the whole minute, which hides what happens in
its slowest ten seconds (in session 17 it showed the national statistics refresh, queued by the
first imports, taking 0.1–0.4 of a core and its PostgreSQL backend bursts of 0.4–0.5 for about
15 s in the middle of the load). Run it beside the benchmark, with the benchmark's database:

    .venv/bin/python -m bench.topology_seconds pb_topo_bench out.json 100 &
    .venv/bin/python -m bench.bench_topology --database postgres://…/pb_topo_bench

It waits for the topology's supervisor to start, then writes one row per second: the seconds
since it started and each role's CPU seconds in that second (the load clients, and the
PostgreSQL backends of the database, included). A process that starts between two readings
shows its whole CPU so far in its first second.
"""

import json
import subprocess
import sys
import time

from bench.bench_topology import topology_role
from bench.common import cpu_of_tree, cpu_seconds, postgres_backends_cpu


def _pids(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def _reading(supervisor: int, database: str) -> dict[str, float]:
    used = cpu_of_tree(supervisor, topology_role)
    used["postgres"] = sum(postgres_backends_cpu(database).values())
    used["clients"] = 0.0
    for pid in _pids("bench_topology --client"):
        try:
            used["clients"] += cpu_seconds(pid)
        except FileNotFoundError:
            continue
    return used


def main(database: str, out: str, seconds: float) -> None:
    while not (supervisors := _pids("python -m parabench.topology")):
        time.sleep(0.2)
    supervisor, started, before, rows = min(supervisors), time.time(), None, []
    while (now := time.time()) - started < seconds:
        reading = _reading(supervisor, database)
        if before is not None:
            rows.append(
                {"t": round(now - started, 1)}
                | {role: round(cpu - before.get(role, 0.0), 3) for role, cpu in reading.items()}
            )
        before = reading
        time.sleep(max(0.0, 1 - (time.time() - now)))
    with open(out, "w") as handle:
        json.dump(rows, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
