#!/usr/bin/env bash
# `make test`: the SQLite half and the PostgreSQL half of the suite side by side (one core each).
# Each half has its own database, its own var/ directory (PARABENCH_VAR_DIR, see the Makefile),
# its own pytest cache and its own log under var/test-logs/; Xvfb displays and ports are chosen
# free by the tests themselves. Prints each half's progress every minute, then a summary; the
# whole log of a half that failed; exits non-zero when either half failed.
set -uo pipefail
MAKE=${MAKE:-make}
LOGS=${TEST_LOGS:-var/test-logs}
HALVES=(sqlite postgres)
mkdir -p "$LOGS"
started=$(date +%s)
declare -A pids codes
for half in "${HALVES[@]}"; do
  $MAKE --no-print-directory "test-$half" >"$LOGS/$half.log" 2>&1 &
  pids[$half]=$!
done
echo "Both halves started; logs in $LOGS/{sqlite,postgres}.log"

stop() {
  for half in "${HALVES[@]}"; do
    kill -- "${pids[$half]}" 2>/dev/null
  done
  exit 130
}
trap stop INT TERM

progress() {  # pytest's last "[ 42%]" in the half's log
  grep -o '\[ *[0-9]*%\]' "$LOGS/$1.log" 2>/dev/null | tail -n 1 | tr -d '[] '
}

running=("${HALVES[@]}")
while [ ${#running[@]} -gt 0 ]; do
  for _ in $(seq 60); do
    sleep 1
    still=()
    for half in "${running[@]}"; do
      kill -0 "${pids[$half]}" 2>/dev/null && still+=("$half")
    done
    [ ${#still[@]} -lt ${#running[@]} ] && break
  done
  running=("${still[@]}")
  line="$(( $(date +%s) - started )) s:"
  for half in "${HALVES[@]}"; do
    line+=" $half $(progress "$half")"
  done
  echo "$line"
done

failed=0
for half in "${HALVES[@]}"; do
  wait "${pids[$half]}"
  codes[$half]=$?
done
echo
echo "=== summary ($(( $(date +%s) - started )) s) ==="
for half in "${HALVES[@]}"; do
  summary=$(grep -E '(passed|failed|errors?|no tests ran).* in [0-9.]+s' "$LOGS/$half.log" | tail -n 1)
  if [ "${codes[$half]}" -eq 0 ]; then
    echo "$half: ok ${summary:-}"
  else
    failed=1
    echo "$half: FAILED (exit ${codes[$half]}) ${summary:-} — its log follows"
  fi
done
for half in "${HALVES[@]}"; do
  if [ "${codes[$half]}" -ne 0 ]; then
    echo
    echo "=================== $half: $LOGS/$half.log ==================="
    cat "$LOGS/$half.log"
  fi
done
exit $failed
