#!/usr/bin/env bash
# The webhook feed end to end: `audittop collect` on a loopback port with a tee, the load
# generator (behaving like the apiserver's batch client) sending 20,000 events, then the
# same 20,000 again as retries; SIGTERM; then `audittop report` on the tee. The tee must
# hold exactly the unique events sent. Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${AUDITTOP:-$PWD/.build/debug/audittop}
bench=${AUDITTOP_BENCH:-$PWD/.build/debug/audittop-bench}
work=$(mktemp -d)
export SWIFT_BACKTRACE=interactive=no
collector=
# Whatever happens, the collector this script started does not outlive it.
trap '[ -n "$collector" ] && { kill "$collector" 2>/dev/null; sleep 0.5; kill -KILL "$collector" 2>/dev/null; }; rm -rf "$work"' EXIT

. Tests/EndToEnd/checks.sh

port=$((20000 + RANDOM % 20000))
url=http://127.0.0.1:$port/k8s-audit
"$bin" collect "$url" --tee "$work/feed.log" --status-every 1s 2>"$work/collect.log" &
collector=$!
for _ in $(seq 50); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 405 ] && break
  sleep 0.1
done
check "the collector listens" test "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 405
"$bench" --webhook --url "$url" --events 20000 >"$work/load1.txt" 2>&1
check "the generator's events are all answered 200" grep -q "20000 sent; 20000 answered 200" "$work/load1.txt"
"$bench" --webhook --url "$url" --events 20000 >"$work/load2.txt" 2>&1
check "the resent events are answered 200 too" grep -q "20000 sent; 20000 answered 200" "$work/load2.txt"
# A batch is answered when it is queued, not when it is decoded, so the status line can trail
# the last answer; on a loaded CI machine the debug build took more than 1.5 s to catch up.
for _ in $(seq 300); do
  grep -q "events/s; 20000 events; 20000 duplicates" "$work/collect.log" && break
  sleep 0.1
done
check "the status line counts events/s and duplicates" grep -q "events/s; 20000 events; 20000 duplicates" "$work/collect.log"
kill -TERM "$collector"
wait "$collector"
code=$?
check "SIGTERM stops the collector with exit 0" test "$code" -eq 0
check "the collector says what it kept" grep -q "stopped: 20000 events, 20000 duplicates, 0 malformed, 20000 written" "$work/collect.log"
check "the tee holds exactly the unique events" test "$(wc -l <"$work/feed.log")" -eq 20000
"$bin" report "$work/feed.log" --format json >"$work/report.json"
check "report on the tee agrees with the generator" python3 -c "
import json, sys
r = json.load(open('$work/report.json'))
sys.exit(0 if r['events'] == 20000 and r['duplicates'] == 0 and r['malformed']['total'] == 0 else 1)"

finish webhook
