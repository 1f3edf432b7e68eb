#!/usr/bin/env bash
# Soak: repeats the survival suites (kills, dev server restart, faults, bad inputs, secrets) N times (default 3).
# Each round runs under one jest run with its own dev server; stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${SOAK_ROUNDS:-${1:-3}}"
for ((i = 1; i <= rounds; i++)); do
  echo "== soak round $i/$rounds"
  npx jest test/survival test/badinput --runInBand
done
echo "soak: $rounds rounds passed"
