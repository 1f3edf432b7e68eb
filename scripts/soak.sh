#!/usr/bin/env bash
# Soak: repeats the survival suites (kills, dev server restart, faults, lost answers, retry budgets, bad inputs,
# secrets) N times (default 3), then runs the long chaos suite once: 60 tenants, a 3-minute tenant outage, 4 storms
# (CHAOS_TENANTS / CHAOS_OUTAGE_MS / CHAOS_STORMS override; the CI run of chaos.test.ts: 20 tenants, 45 s, 2 storms).
# Each round runs under one jest run with its own dev server; stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${SOAK_ROUNDS:-${1:-3}}"
for ((i = 1; i <= rounds; i++)); do
  echo "== soak round $i/$rounds"
  npx jest test/survival test/badinput --runInBand
done
echo "== soak: long chaos run"
CHAOS_TENANTS="${CHAOS_TENANTS:-60}" CHAOS_OUTAGE_MS="${CHAOS_OUTAGE_MS:-180000}" CHAOS_STORMS="${CHAOS_STORMS:-4}" npx jest test/survival/chaos.test.ts --runInBand
echo "soak: $rounds rounds and the long chaos run passed"
