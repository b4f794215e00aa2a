#!/usr/bin/env bash
# Rotation torture: `audittop collect FILE --tee OUT` follows a file that a writer fills at
# 20,000 events/s and rotates every 0.3 s, 100 times for each kind of rotation:
#   copytruncate         copy to audit.log.1 (older copies shifted to .2, .3), then truncate;
#   copytruncate-nocopy  truncate with no copy left beside the file;
#   rename               rename to audit-<time>.log (lumberjack's way), create a new file;
#   delete               unlink, create a new file.
# The writer does its own rotations, so the copy holds every event written before the
# truncation (logrotate's copy-then-truncate can lose the events written between the two;
# those are the rotator's loss, not the follower's). Every auditID written is looked for in
# the tee. Per kind it prints what was written and read, the events lost after a truncation
# (or a rename or delete), and those lost between the follower's last read and a truncation
# (the tail of a generation that is missing from the tee), and fails unless:
#   rename, delete, copytruncate: 0 lost;  copytruncate-nocopy: 0 lost after the truncate,
#   and at most 1% of what was written lost between the last read and the truncate.
# Usage: Tests/EndToEnd/rotation.sh [--quick]   (--quick: 20 rotations of each kind)
# The binary is $AUDITTOP, by default .build/debug/audittop (build it first). Takes about
# 2.5 minutes in full, 40 s with --quick. ROTATION_RATE sets the events/s (a debug build
# decodes only 10,000-18,000 events/s, so it falls behind at 20,000: give it 5000);
# ROTATION_KINDS picks kinds; ROTATION_DEBUG=1 prints each generation's losses and the
# collector's status lines.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${AUDITTOP:-$PWD/.build/debug/audittop}
echo "testing $bin${AUDITTOP:+ (from AUDITTOP)}"
rotations=100
[ "${1:-}" = --quick ] && rotations=20
rate=${ROTATION_RATE:-20000}
work=$(mktemp -d)
export SWIFT_BACKTRACE=interactive=no
collector=
# Whatever happens, the collector this script started does not outlive it.
trap '[ -n "$collector" ] && { kill "$collector" 2>/dev/null; sleep 0.5; kill -KILL "$collector" 2>/dev/null; }; rm -rf "$work"' EXIT

cat >"$work/torture.py" <<'PY'
import json, os, re, sys, time

def event(kind, n):
    return ('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%08x-0000-4000-8000-%012x",'
            '"stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods/pod-%d","verb":"get",'
            '"user":{"username":"system:serviceaccount:default:torture"},"objectRef":{"resource":"pods",'
            '"namespace":"default","name":"pod-%d"},"responseStatus":{"code":200},'
            '"requestReceivedTimestamp":"2026-03-14T09:00:00.000000Z","stageTimestamp":"2026-03-14T09:00:00.001000Z"}\n'
            % (kind, n, n, n))

def write(kind, directory, rotations, rate):
    """Writes at `rate` events/s, rotating every 0.3 s; prints the first event of each generation."""
    code = ["copytruncate", "copytruncate-nocopy", "rename", "delete"].index(kind)
    path = os.path.join(directory, "audit.log")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    starts, n, batch, period = [0], 0, max(1, rate // 200), 0.3
    begin = time.monotonic()
    next_rotation = begin + period
    end = begin + period * (rotations + 1)
    while True:
        now = time.monotonic()
        if now >= end:
            break
        # A rotation comes a pause after the last write, as a rotator's would, not in the
        # same instant.
        if now >= next_rotation:
            next_rotation += period
            starts.append(n)
            if kind == "copytruncate":
                for k in (2, 1):
                    if os.path.exists(f"{path}.{k}"):
                        os.replace(f"{path}.{k}", f"{path}.{k + 1}")
                with open(path, "rb") as src, open(path + ".1", "wb") as dst:
                    dst.write(src.read())
                os.truncate(path, 0)
            elif kind == "copytruncate-nocopy":
                os.truncate(path, 0)
            else:
                os.close(fd)
                if kind == "rename":
                    os.rename(path, os.path.join(directory, "audit-%06d.log" % len(starts)))
                    old = os.path.join(directory, "audit-%06d.log" % (len(starts) - 5))
                    if os.path.exists(old):
                        os.unlink(old)
                else:
                    os.unlink(path)
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        due = int((now - begin) * rate)
        if n < due:
            count = min(4 * batch, due - n)
            os.write(fd, "".join(event(code, k) for k in range(n, n + count)).encode())
            n += count
        time.sleep(0.005)
    os.close(fd)
    json.dump({"written": n, "starts": starts, "seconds": time.monotonic() - begin}, sys.stdout)

def analyse(kind, written_json, tee):
    w = json.load(open(written_json))
    written, starts = w["written"], w["starts"] + [w["written"]]
    pattern = re.compile(rb'"auditID":"[0-9a-f]{8}-0000-4000-8000-([0-9a-f]{12})"')
    seen = bytearray(written)
    read = 0
    with open(tee, "rb") as f:
        for line in f:
            m = pattern.search(line)
            if m:
                k = int(m.group(1), 16)
                if k < written:
                    read += 1
                    seen[k] = 1
    after = between = 0
    for g in range(len(starts) - 1):
        lo, hi = starts[g], starts[g + 1]
        last_read = max((k for k in range(lo, hi) if seen[k]), default=lo - 1)
        final = g == len(starts) - 2
        for k in range(lo, hi):
            if not seen[k]:
                # The tail of a generation missing from the tee was never read before the
                # truncation; anything else (a gap, or the last generation) is a loss after it.
                if k > last_read and not final:
                    between += 1
                else:
                    after += 1
        if os.environ.get("ROTATION_DEBUG") and any(not seen[k] for k in range(lo, hi)):
            missing = [k - lo for k in range(lo, hi) if not seen[k]]
            print(f"  generation {g}: {hi - lo} events, {len(missing)} missing, from {missing[0]} to {missing[-1]}")
    lost = after + between
    if kind == "copytruncate-nocopy":
        ok = after == 0 and between <= written // 100
    else:
        ok = lost == 0
    print(f"{kind:20} written {written:7}  read {read:7}  lost {lost:5}  after the rotation {after:5}  "
          f"between the last read and the truncate {between:5}  ({w['seconds']:.1f} s, {len(starts) - 2} rotations)"
          f"  {'ok' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)

if sys.argv[1] == "write":
    write(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
else:
    analyse(sys.argv[2], sys.argv[3], sys.argv[4])
PY

failed=0
ran=0
for kind in ${ROTATION_KINDS:-copytruncate copytruncate-nocopy rename delete}; do
  dir=$work/$kind
  ran=$((ran + 1))
  mkdir -p "$dir"
  : >"$dir/audit.log"
  "$bin" collect "$dir/audit.log" --tee "$work/$kind.tee" --tee-max-size 100GB --status-every 1s 2>"$work/$kind.collect.log" &
  collector=$!
  for _ in $(seq 100); do grep -q "collecting from" "$work/$kind.collect.log" && break; sleep 0.1; done
  sleep 0.5
  python3 "$work/torture.py" write "$kind" "$dir" "$rotations" "$rate" >"$work/$kind.written.json"
  written=$(python3 -c "import json; print(json.load(open('$work/$kind.written.json'))['written'])")
  # Let the collector catch up (the tee is flushed every 50 ms), then stop it.
  last=-1
  for _ in $(seq 60); do
    now=$(wc -l <"$work/$kind.tee" 2>/dev/null || echo 0)
    [ "$now" -ge "$written" ] && break
    [ "$now" = "$last" ] && break
    last=$now
    sleep 0.5
  done
  kill -TERM "$collector"
  wait "$collector"
  code=$?
  collector=
  if [ "$code" -ne 0 ]; then
    echo "FAIL $kind: the collector exited with $code"; tail -5 "$work/$kind.collect.log"; failed=$((failed + 1))
  fi
  python3 "$work/torture.py" analyse "$kind" "$work/$kind.written.json" "$work/$kind.tee" || failed=$((failed + 1))
  [ -n "${ROTATION_DEBUG:-}" ] && grep -o "events/s.*" "$work/$kind.collect.log" | cut -c1-250
  grep -o "stopped: .*" "$work/$kind.collect.log" | sed 's/^/                     collector /'
  rm -rf "$dir" "$work/$kind.tee"
done
echo "rotation: $((ran - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
