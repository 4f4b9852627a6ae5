#!/usr/bin/env bash
# scripts/time-make-test.sh CLONE LABEL [OUT]: one `make test` in CLONE (a fresh clone of the commit
# to time), with its wall time, the CPU of make's children, PostgreSQL's CPU (the postmaster's
# exited backends: cutime + cstime) and the load average at the start. Appends one line to
# OUT/results.txt (default var/timings) and keeps the run's output as OUT/run-LABEL.log.
# Alternate the commits you compare (A B A B) on an otherwise idle machine (DEVELOPERS.md,
# "Test speed").
set -uo pipefail
clone=$1
label=$2
out=$(realpath -m "${3:-var/timings}")
mkdir -p "$out"
postmaster=$(pgrep -o -x postgres)
pg_ticks() { awk '{print $16 + $17}' "/proc/$postmaster/stat"; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
before=$(pg_ticks)
cd "$clone" || exit 2
rm -rf var/test* .pytest_cache
/usr/bin/time -f "%e %U %S" -o "$out/time-$label.txt" make test >"$out/run-$label.log" 2>&1
code=$?
after=$(pg_ticks)
read -r wall user sys <"$out/time-$label.txt"
ticks=$(getconf CLK_TCK)
echo "$label rc=$code wall=$wall cpu=$(echo "$user + $sys" | bc) pg_cpu=$(echo "scale=1; ($after - $before) / $ticks" | bc) load_at_start=$load" |
  tee -a "$out/results.txt"
