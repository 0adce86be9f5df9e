#!/usr/bin/env bash
# tests/bench/report_bench.sh BUILD_DIR: time `planboard report` on a large
# plan: 600 actions over 6 themes, 60 risks with 3 versions each, 8 years
# (96 months) of 11 metrics for 4 localities, 96 audit rounds, 96 meetings.
# Prints the time of each format, now and as recorded.
set -euo pipefail
BIN="$(cd "${1:?usage: report_bench.sh BUILD_DIR}" && pwd)"
SRV=""
T="$(mktemp -d /tmp/planboard-bench.XXXXXX)"
trap '[ -n "$SRV" ] && { kill $SRV; wait $SRV; } 2>/dev/null; rm -rf "$T"' EXIT
export XDG_CONFIG_HOME="$T/cfg" PLANBOARD_USER=admin
PLANBOARD_ADMIN_PASSWORD=Board-Secret-2017 "$BIN/planboardd" --db "$T/db" --init-admin admin 2>/dev/null
"$BIN/planboardd" --db "$T/db" --listen 127.0.0.1:0 --port-file "$T/port" 2>"$T/log" & SRV=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
export PLANBOARD_HOST=127.0.0.1 PLANBOARD_PORT="$(cat "$T/port")"
PB="$BIN/planboard"
echo Board-Secret-2017 | "$PB" login >/dev/null
python3 - "$T" <<'PY'
import random, sys
random.seed(7)
T = sys.argv[1]
with open(f'{T}/actions.csv', 'w') as f:
    f.write('plan,ref,theme,title,owner,locality,due_date,status,rag\n')
    for i in range(600):
        s = random.choice(['not_started', 'in_progress', 'completed', 'blocked'])
        r = random.choice(['green', 'blue']) if s == 'completed' else random.choice(['red', 'amber', 'green'])
        f.write(f'big,B-{i//100+1}.{i%100+1},t{i%6+1},Action {i} of the large plan,Owner {i%17},north,'
                f'{2018+random.randint(0,7)}-{random.randint(1,12):02d}-15,{s},{r}\n')
with open(f'{T}/meas.csv', 'w') as f:
    f.write('metric,locality,period,value,numerator,denominator\n')
    for y in range(2018, 2026):
        for mo in range(1, 13):
            for k in range(11):
                for l in ['north', 'south', 'east', 'exeter']:
                    den = random.randint(80, 200); num = random.randint(den // 2, den)
                    f.write(f'm{k:02d},{l},{y}-{mo:02d},{100*num/den:.4f},{num},{den}\n')
with open(f'{T}/audits.csv', 'w') as f:
    f.write('locality,period,required,completed,on_time,outstanding,good,requires_improvement,inadequate,moderated\n')
    for y in range(2018, 2026):
        for mo in range(1, 13):
            f.write(f'north,{y}-{mo:02d},20,{random.randint(15,20)},14,1,8,4,1,no\n')
with open(f'{T}/batch', 'w') as f:
    for i in range(60):
        f.write(f'risk add --plan big R{i} "Risk {i}" --likelihood {random.randint(1,5)} --impact {random.randint(1,5)}\n')
    for i in range(60):
        f.write(f'risk update R{i} --plan big --likelihood {random.randint(1,5)} --if-version 1\n')
        f.write(f'risk update R{i} --plan big --impact {random.randint(1,5)} --escalate --if-version 2\n')
    for y in range(2018, 2026):
        for mo in range(1, 13):
            f.write(f'board meeting add --plan big --date {y}-{mo:02d}-20 --attendee Chair --decision "Decision {y}-{mo}"\n')
PY
for l in north south east exeter; do "$PB" locality add $l "$l" >/dev/null; done
"$PB" plan add big "Large plan" --locality north --start 2018-01-01 --end 2025-12-31 >/dev/null
for t in 1 2 3 4 5 6; do "$PB" theme add --plan big t$t "Theme $t" >/dev/null; done
for k in $(seq -w 0 10); do "$PB" metric define m$k "Metric $k (%)" --unit pct --better higher --target 80 >/dev/null; done
"$PB" import "$T/actions.csv" --kind actions >/dev/null
"$PB" import "$T/meas.csv" --kind measurements >/dev/null
"$PB" import "$T/audits.csv" --kind audits >/dev/null
if "$PB" batch --help >/dev/null 2>&1; then "$PB" batch "$T/batch" >/dev/null
else while read -r line; do eval "\"$PB\" $line" >/dev/null; done <"$T/batch"; fi
"$PB" board review add --plan big --date 2026-03-01 "Final review" >/dev/null
"$PB" board criterion add --review 1 "Gap within 5 for 3 months" --metric m00 --gap-within 5 --months 3 >/dev/null
for fmt in md html json; do
  for rec in "" "--as-recorded $(date -u +%F)"; do
    s=$(date +%s.%N)
    "$PB" report --plan big --as-of 2025-12-31 --format $fmt $rec -o "$T/r.$fmt"
    e=$(date +%s.%N)
    printf 'report %-4s %-26s %6.3f s  %8d bytes\n' $fmt "${rec:-now}" "$(echo "$e - $s" | bc)" "$(stat -c %s "$T/r.$fmt")"
  done 2>/dev/null
done
