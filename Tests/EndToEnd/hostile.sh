#!/usr/bin/env bash
# The webhook listener against hostile clients, end to end: `audittop collect` on a loopback
# port with a tee and a token (defaults otherwise: --header-timeout 5s, --max-unauthenticated
# 64, --max-connections 1024, --max-body 32MiB, --max-line 4MiB), then every hostile case of
# issue 12 with its expected answer:
#   - 1,100 idle sockets from the sender's own IP, then from 20 IPs (every slot full): the
#     authenticated sender is answered 200 within 1 s;
#   - a silent connection and a slow head are cut off after the 5 s header timeout;
#   - a negative Content-Length gets exactly one 400 and a close;
#   - a body over --max-body gets exactly one 413 and a close;
#   - a wrong or missing token gets 401, a body that is not JSON gets 400;
#   - the answers are counted once each in the status line;
#   - a batch of 100 whose first item has a raw NUL keeps the 99 good ones in the tee;
#   - an event over --max-line (a 5 MB userAgent) is counted, not teed, and `report` reads
#     the tee with 0 malformed.
# Prints one PASS or FAIL line per check (SKIP, with the reason, for a flood the open-file
# limit cannot allow), then "N passed, N failed"; exits non-zero on any failure.
# The binary is $AUDITTOP, by default .build/debug/audittop. Needs curl and python3.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${AUDITTOP:-$PWD/.build/debug/audittop}
work=$(mktemp -d)
export SWIFT_BACKTRACE=interactive=no
collector=
# Whatever happens, the collector this script started does not outlive it.
trap '[ -n "$collector" ] && { kill "$collector" 2>/dev/null; sleep 0.5; kill -KILL "$collector" 2>/dev/null; }; rm -rf "$work"' EXIT

. Tests/EndToEnd/checks.sh

# The flood holds 1,100 sockets on each side: lift the soft open-file limit if allowed.
[ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt 4096 ] && ulimit -Sn 4096 2>/dev/null
files=$(ulimit -Sn)
[ "$files" = unlimited ] && files=1048576

port=$((20000 + RANDOM % 20000))
url=http://127.0.0.1:$port/k8s-audit
token=hostile-test-token
printf '%s\n' "$token" >"$work/token"
auth=(-H "Authorization: Bearer $token")
json=(-H "Content-Type: application/json")

cat >"$work/client.py" <<'PY'
"""Raw-socket clients for hostile.sh: python3 client.py MODE PORT [ARGS]."""
import select, socket, sys, threading, time

port = int(sys.argv[2])

def event(n, agent="kubectl"):
    return ('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",'
            '"auditID":"00000000-0000-4000-8000-%012d","stage":"ResponseComplete",'
            '"requestURI":"/api/v1/pods","verb":"list","user":{"username":"u%d"},'
            '"userAgent":"%s","objectRef":{"resource":"pods"},"responseStatus":{"code":200}}') % (n, n % 3, agent)

def batch(items):
    return '{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[%s]}' % ",".join(items)

def connect(source="127.0.0.1"):
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s

def readable(s, seconds):
    # poll, not select: the flood's descriptors are past select's 1024.
    p = select.poll()
    p.register(s, select.POLLIN)
    return bool(p.poll(seconds * 1000))

def answers(s, within=10):
    """Every status line the peer sends until it closes, and whether it closed."""
    data, deadline = b"", time.time() + within
    while time.time() < deadline:
        if readable(s, 0.1):
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return [p[:3].decode() for p in data.split(b"HTTP/1.1 ")[1:]], True
            data += chunk
    return [p[:3].decode() for p in data.split(b"HTTP/1.1 ")[1:]], False

def closed(s):
    if not readable(s, 0):
        return False
    try:
        return s.recv(1, socket.MSG_PEEK) == b""
    except ConnectionResetError:
        return True

mode = sys.argv[1]
if mode == "raw":
    # Sends stdin as it is on one connection; prints the answers and "closed" or "open".
    s = connect()
    s.sendall(sys.stdin.buffer.read())
    got, done = answers(s)
    print(" ".join(got), "closed" if done else "open")
elif mode == "slow":
    # A silent connection and one trickling its head a byte every 0.5 s, side by side;
    # prints the seconds after which each was closed (or "open" after 15 s).
    result = {}
    def run(name, trickle):
        s, start = connect(), time.time()
        if trickle:
            s.sendall(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\n")
        while time.time() - start < 15:
            if closed(s):
                result[name] = "%.1f" % (time.time() - start)
                return
            if trickle:
                try:
                    s.sendall(b"X")
                except OSError:
                    pass
            time.sleep(0.5)
        result[name] = "open"
    threads = [threading.Thread(target=run, args=(n, t)) for n, t in (("silent", False), ("trickle", True))]
    for t in threads: t.start()
    for t in threads: t.join()
    print(result["silent"], result["trickle"])
elif mode == "flood":
    # N idle sockets from `ips` loopback addresses, then (once the listener has closed the
    # `expect` it must) one authenticated POST from 127.0.0.1, timed from connect to answer.
    token, n, ips, expect, first = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
    idle = [connect("127.0.0.%d" % (1 if ips == 1 else 2 + k % ips)) for k in range(n)]
    deadline = time.time() + 20
    while time.time() < deadline and sum(closed(s) for s in idle) < expect:
        time.sleep(0.1)
    gone = sum(closed(s) for s in idle)
    body = batch([event(first)]).encode()
    start = time.time()
    s = connect()
    s.sendall(b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    got, _ = answers(s)
    print(got[0] if got else "none", "%.3f" % (time.time() - start), gone)
elif mode == "bad-batch":
    # A batch of 100 whose first item holds a raw NUL in a string.
    items = [event(first_n) for first_n in range(int(sys.argv[3]), int(sys.argv[3]) + 100)]
    items[0] = items[0].replace("kubectl", "kube\x00ctl")
    sys.stdout.buffer.write(batch(items).encode())
elif mode == "huge-batch":
    # Three events, the middle one with a 5 MB user agent.
    n = int(sys.argv[3])
    sys.stdout.buffer.write(batch([event(n), event(n + 1, "x" * 5_000_000), event(n + 2)]).encode())
PY
client() { python3 "$work/client.py" "$1" "$port" "${@:2}"; }

"$bin" collect "$url" --tee "$work/feed.log" --token-file "$work/token" --status-every 1s 2>"$work/collect.log" &
collector=$!
for _ in $(seq 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 405 ] && break
  sleep 0.1
done
check "the collector listens (GET is 405)" test "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 405

post() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST "${json[@]}" "$@" "$url"; }
check "a missing token is 401" test "$(post --data '{}')" = 401
check "a wrong token is 401" test "$(post -H 'Authorization: Bearer wrong' --data '{}')" = 401
check "a body that is not JSON is 400" test "$(post "${auth[@]}" --data 'hello, not json')" = 400

answer=$(printf 'POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: -5\r\n\r\n{}\r\n\r\n' "$token" | client raw)
check "a negative Content-Length gets exactly one 400, then the close (got: $answer)" test "$answer" = "400 closed"

answer=$(printf 'POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: 40000000\r\n\r\n{"kind":' "$token" | client raw)
check "a body over --max-body gets exactly one 413, then the close (got: $answer)" test "$answer" = "413 closed"

client bad-batch 1000 >"$work/bad.json"
check "a batch whose first item has a raw NUL is answered 200" test "$(post "${auth[@]}" --data-binary @"$work/bad.json")" = 200

client huge-batch 2000 >"$work/huge.json"
check "a batch with a 5 MB event (over --max-line) is answered 200" test "$(post "${auth[@]}" --data-binary @"$work/huge.json")" = 200

read -r silent trickle < <(client slow)
check "a silent connection is cut off after the 5 s header timeout (at ${silent}s)" \
  python3 -c "import sys; t = '$silent'; sys.exit(0 if t != 'open' and 4.5 <= float(t) <= 7 else 1)"
check "a head trickled a byte every 0.5 s is cut off after 5 s (at ${trickle}s)" \
  python3 -c "import sys; t = '$trickle'; sys.exit(0 if t != 'open' and 4.5 <= float(t) <= 7 else 1)"

flood() {  # flood IPS EXPECT-CLOSED FIRST-ID DESCRIPTION
  if [ "$files" -lt 4096 ]; then
    echo "SKIP $4: the open-file limit is $files (ulimit -Hn allows no more); the flood needs 4096"
    return
  fi
  read -r status seconds gone < <(client flood "$token" 1100 "$1" "$2" "$3")
  echo "     $4: the listener closed $gone idle sockets; the sender's answer came in ${seconds}s"
  check "$4: the authenticated sender is answered 200 within 1 s (${status} in ${seconds}s)" \
    python3 -c "import sys; sys.exit(0 if '$status' == '200' and float('$seconds') < 1 else 1)"
}
flood 1 1036 3000 "1,100 idle sockets from the sender's own IP"
flood 20 76 3001 "1,100 idle sockets from 20 IPs, every slot full"

sleep 1.5  # a status line after the last request
status_line=$(grep 'req/s' "$work/collect.log" | tail -1)
count() { grep -o "$1×[0-9]*" <<<"$status_line" | sed "s/^$1×//"; }
check "each bad request is counted once (400×2 401×2 413×1 in: ${status_line##*k8s-audit: })" \
  test "$(count 400)-$(count 401)-$(count 413)" = "2-2-1"

kill -TERM "$collector"
wait "$collector"
code=$?
collector=
check "SIGTERM stops the collector with exit 0" test "$code" -eq 0
check "the collector counted the NUL item and the 5 MB event as its 2 malformed" grep -q "stopped: .* 2 malformed" "$work/collect.log"
check "the tee holds the 99 good items of the batch with the NUL item" \
  test "$(grep -c '"auditID":"00000000-0000-4000-8000-0000000010[0-9][0-9]"' "$work/feed.log")" -eq 99
check "the tee holds the 2 neighbours of the 5 MB event and not the event" \
  test "$(grep -c '"auditID":"00000000-0000-4000-8000-00000000200[0-2]"' "$work/feed.log")" -eq 2
check "no line of the tee is over --max-line" test "$(awk 'length($0) > 4194304' "$work/feed.log" | wc -l)" -eq 0
"$bin" report "$work/feed.log" --format json >"$work/report.json"
events=$(wc -l <"$work/feed.log")
check "report reads the whole tee ($events events) with 0 malformed" python3 -c "
import json, sys
r = json.load(open('$work/report.json'))
sys.exit(0 if r['events'] == $events and r['malformed']['total'] == 0 else 1)"

finish hostile
