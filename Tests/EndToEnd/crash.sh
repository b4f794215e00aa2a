#!/usr/bin/env bash
# Crashes the real audittop binary in tmux, as a bug would, and checks what the person at the
# terminal is left with. For each crash signal (SEGV, ABRT, BUS, FPE, ILL, TRAP, each a real
# fault through the hidden AUDITTOP_TEST_CRASH), and for a SIGSEGV sent by kill: within 1 s
# the pane is out of the alternate screen with every mouse mode and the keypad modes off;
# within 5 s (the backtracer's time) the process has gone with the signal's status; the
# shell's terminal settings are back (echo, line editing, output newlines); nothing printed in a raw-mode staircase, and the
# backtrace is in a crash file under $XDG_STATE_HOME/audittop/. Then `collect`, with no
# terminal: a non-interactive backtrace on stderr, and gone when the backtracer is done.
# Prints "N passed, N failed" and exits non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${AUDITTOP:-$PWD/.build/debug/audittop}
work=$(mktemp -d)
prefix=crash-e2e-$$
collector=
# The sessions and the collector this script started do not outlive it.
trap 'for s in $(tmux list-sessions -F "#{session_name}" 2>/dev/null | grep "^$prefix"); do tmux kill-session -t "$s"; done
  [ -n "$collector" ] && kill -KILL "$collector" 2>/dev/null; rm -rf "$work"' EXIT

. Tests/EndToEnd/checks.sh
screen() { tmux capture-pane -p -t "$1"; }
# Waits up to $3 tenths of a second (60 unless given) for session $1's screen to match the
# extended regex $2.
see() {
  for _ in $(seq "${3:-60}"); do
    if screen "$1" | grep -Eq -- "$2"; then return 0; fi
    sleep 0.1
  done
  echo "---- screen of $1 (wanted: $2) ----"; screen "$1"; echo "----"
  return 1
}
# The pane's modes: alternate screen, any mouse reporting, SGR mouse encoding, keypad
# (DECKPAM) and cursor keys (DECCKM), as 1s and 0s.
modes() { tmux display -p -t "$1" '#{alternate_on}#{mouse_any_flag}#{mouse_sgr_flag}#{keypad_flag}#{keypad_cursor_flag}'; }
# Waits up to $3 tenths of a second for session $1's modes to be $2.
modes_become() {
  for _ in $(seq "$3"); do
    [ "$(modes "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  echo "---- modes of $1: $(modes "$1"), wanted $2 ----"
  return 1
}
# The audittop process under session $1's shell, if any.
child() { pgrep -P "$(tmux display -p -t "$1" '#{pane_pid}')" -x audittop; }
gone_within() { # session tenths
  for _ in $(seq "$2"); do
    child "$1" >/dev/null || return 0
    sleep 0.1
  done
  return 1
}
# A terminal setting ($2: echo, icanon, opost) is on in what `stty -a` said after the crash.
setting_on() { tr ' ;' '\n\n' < "$1" | grep -qx -- "$2"; }

# crash KIND SIGNAL-NAME STATUS [kill]: the demo dashboard crashes with KIND's real fault (or,
# with "kill", is sent the signal) once its screen is up with the mouse and keypad on.
crash() {
  local kind=$1 name=$2 status=$3 how=${4:-fault}
  local s=$prefix-$kind-$how state=$work/state-$kind-$how trigger=$work/go-$kind-$how
  local asked="AUDITTOP_TEST_CRASH=$kind:$trigger"
  [ "$how" = kill ] && asked=
  # Under sh -c rather than an interactive shell: bash would put its own terminal settings
  # back after a job dies by a signal, hiding whether audittop did. No SWIFT_BACKTRACE: the
  # settings are audittop's own.
  tmux new-session -d -s "$s" -x 120 -y 30 \
    "env -u SWIFT_BACKTRACE TERM=xterm-256color XDG_STATE_HOME=$state $asked sh -c '$bin demo; echo EXIT=\$?; stty -a > $work/stty-$kind-$how; echo STTY-SAVED; sleep 120'"
  see "$s" "events" >/dev/null
  check "$name ($how): before the crash the dashboard has the alternate screen, mouse and keypad on" modes_become "$s" 11111 30
  if [ "$how" = kill ]; then kill "-${name#SIG}" "$(child "$s")"; else touch "$trigger"; fi
  check "$name ($how): within 1 s the alternate screen, every mouse mode and the keypad are off" modes_become "$s" 00000 10
  # The backtracer symbolicates every thread before the process may die: seconds, not 30.
  check "$name ($how): within 5 s the process has exited" gone_within "$s" 50
  check "$name ($how): it exits with the signal's status ($status)" see "$s" "^EXIT=$status$" 20
  see "$s" "^STTY-SAVED" >/dev/null
  check "$name ($how): the shell's terminal settings are back (echo, icanon, opost)" \
    bash -c "$(declare -f setting_on); setting_on $work/stty-$kind-$how echo && setting_on $work/stty-$kind-$how icanon && setting_on $work/stty-$kind-$how opost"
  check "$name ($how): the crash is said at column 0, after the terminal was restored" \
    see "$s" "^audittop crashed \($name\); the backtrace is in $state/audittop/audittop-[0-9]+-\*\.log$" 1
  check "$name ($how): the backtrace went to a crash file, not the screen" \
    bash -c "grep -qE 'Thread [0-9]+ .*crashed' $state/audittop/audittop-*.log && ! tmux capture-pane -p -t $s | grep -qE 'Thread [0-9]+ .*crashed'"
  check "$name ($how): the backtracer did not wait for a key" bash -c "! grep -qi 'press space' $state/audittop/audittop-*.log"
  tmux kill-session -t "$s"
}

crash segv SIGSEGV 139
crash abort SIGABRT 134
crash bus SIGBUS 135
crash fpe SIGFPE 136
crash ill SIGILL 132
crash trap SIGTRAP 133
crash segv SIGSEGV 139 kill

# A clean quit turns the same modes off.
s=$prefix-quit
tmux new-session -d -s "$s" -x 120 -y 30 "env TERM=xterm-256color XDG_STATE_HOME=$work/state-quit sh -c '$bin demo; echo EXIT=\$?; sleep 120'"
see "$s" "events" >/dev/null
modes_become "$s" 11111 30 >/dev/null
tmux send-keys -t "$s" q
check "q: the alternate screen, every mouse mode and the keypad are off" modes_become "$s" 00000 30
check "q: exit 0" see "$s" "^EXIT=0$"

# collect, with no terminal: the backtrace on stderr, non-interactive, and gone at once.
port=$((20000 + RANDOM % 20000))
env -u SWIFT_BACKTRACE XDG_STATE_HOME="$work/state-collect" AUDITTOP_TEST_CRASH=segv \
  "$bin" collect "http://127.0.0.1:$port/k8s-audit" </dev/null >"$work/collect.out" 2>"$work/collect.err" &
collector=$!
started=$(date +%s%N)
for _ in $(seq 100); do kill -0 "$collector" 2>/dev/null || break; sleep 0.1; done
wait "$collector"; code=$?
collector=
took=$((($(date +%s%N) - started) / 1000000))
check "collect: a SIGSEGV exits with 139" test "$code" -eq 139
# collect's backtrace symbolicates NIO and BoringSSL too: on a loaded 2-core VM, about 10 s
# of the backtracer's own work (it says "Backtrace took"), never a wait for a key.
check "collect: gone within 20 s of starting ($took ms)" test "$took" -lt 20000
check "collect: says it crashed on stderr" grep -q '^audittop crashed (SIGSEGV); the backtrace follows$' "$work/collect.err"
check "collect: the backtrace is on stderr" grep -qE 'Thread [0-9]+ .*crashed' "$work/collect.err"
check "collect: no crash file without a terminal" test ! -e "$work/state-collect/audittop"
check "collect: the backtracer did not wait for a key" bash -c "! grep -qi 'press space' $work/collect.err"
"$bin" collect "http://127.0.0.1:$port/k8s-audit" </dev/null >"$work/collect2.out" 2>"$work/collect2.err" &
collector=$!
for _ in $(seq 50); do grep -q "collecting from" "$work/collect2.err" && break; sleep 0.1; done
kill -ABRT "$collector"
started=$(date +%s%N)
wait "$collector"; code=$?
collector=
took=$((($(date +%s%N) - started) / 1000000))
check "collect: a SIGABRT sent by kill exits with 134" test "$code" -eq 134
check "collect: ... gone within 20 s ($took ms)" test "$took" -lt 20000
check "collect: ... with the backtrace on stderr" grep -qE 'Thread [0-9]+ .*crashed' "$work/collect2.err"

finish crash
