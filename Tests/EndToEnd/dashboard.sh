#!/usr/bin/env bash
# Drives the real audittop binary in tmux, as a person would: follows a growing file,
# watches totals, denials and unknown users appear, opens the detail view, pauses, resizes,
# survives rotation by rename and by copy-then-truncate, quits cleanly; then the live demo
# and the no-terminal error. Prints "N passed, N failed" and exits non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${AUDITTOP:-$PWD/.build/debug/audittop}
work=$(mktemp -d)
session=audittop-e2e-$$
export SWIFT_BACKTRACE=interactive=no
trap 'for s in "$session" "$session-strip" "$session-follow" "$session-known" "$session-demo" "$session-wall" "$session-light" "$session-mono" "$session-true" "$session-256"; do tmux kill-session -t "$s" 2>/dev/null; done; rm -rf "$work"' EXIT

. Tests/EndToEnd/checks.sh
screen() { tmux capture-pane -p -t "$1"; }
# Waits up to 6 s for the screen of session $1 to match the extended regex $2.
see() {
  for _ in $(seq 60); do
    if screen "$1" | grep -Eq -- "$2"; then return 0; fi
    sleep 0.1
  done
  echo "---- screen of $1 (wanted: $2) ----"; screen "$1"; echo "----"
  return 1
}
# Waits up to 6 s for the first line of session $1 to stop matching the extended regex $2.
gone() {
  for _ in $(seq 60); do
    if ! screen "$1" | head -1 | grep -Eq -- "$2"; then return 0; fi
    sleep 0.1
  done
  echo "---- status bar of $1 (still: $2) ----"; screen "$1" | head -1; echo "----"
  return 1
}
event() { # n user code
  printf '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"00000000-0000-4000-8000-%012d","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/secrets","verb":"list","user":{"username":"%s","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30","objectRef":{"resource":"secrets","namespace":"default","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":%d},"requestReceivedTimestamp":"%s","stageTimestamp":"%s","annotations":{"authorization.k8s.io/decision":"%s","authorization.k8s.io/reason":""}}\n' \
    "$1" "$2" "$3" "$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)" "$(date -u +%Y-%m-%dT%H:%M:%S.001000Z)" "$([ "$3" = 403 ] && echo forbid || echo allow)"
}
events() { # from to user code >> file
  for n in $(seq "$1" "$2"); do event "$n" "$3" "$4"; done
}
widest() { screen "$1" | while IFS= read -r line; do printf '%s' "$line" | LC_ALL=C.UTF-8 wc -m; done | sort -n | tail -1; }

# The live demo at 80x24, started first: its incident begins a minute in, and is checked
# near the end (the incident strip, a, and an identity's story).
tmux new-session -d -s "$session-strip" -x 80 -y 24 "TERM=xterm-256color $bin demo"

log=$work/audit.log
events 1 10 system:kube-scheduler 200 > "$log"
tmux new-session -d -s "$session" -x 200 -y 60 "bash --norc --noprofile"
# --learn 0s: this log starts now, and a live source would learn its first 10 minutes.
# XDG_STATE_HOME: the crash below writes its backtrace file under $work, not the real home.
tmux send-keys -t "$session" "export PS1='$ ' SWIFT_BACKTRACE=interactive=no TERM=xterm-256color XDG_STATE_HOME=$work/state; clear; $bin --learn 0s $log; echo EXIT=\$?" Enter
check "loads the existing file" see "$session" "│ 10 events │"
events 11 14 system:kube-scheduler 200 >> "$log"
events 15 15 eve@evil.example 403 >> "$log"
check "follows appended events" see "$session" "│ 15 events │"
check "shows the denied request (by identity)" see "$session" "eve@evil\.example +1 list secrets +[0-9:]{8}"
check "shows the unknown user" see "$session" "eve@evil\.example +[0-9:]{8} +1 +1"
tmux send-keys -t "$session" 4 Enter
check "opens the detail view" see "$session" '"username": "(eve@evil.example|system:kube-scheduler)"'
tmux send-keys -t "$session" Escape
check "goes back from detail" see "$session" "─ 4 Stream"
tmux send-keys -t "$session" " "
check "pauses" see "$session" "PAUSED"
events 16 18 system:kube-scheduler 200 >> "$log"
check "counts what waits while paused" see "$session" "PAUSED \(3 waiting\)"
tmux send-keys -t "$session" " "
check "resumes with everything" see "$session" "│ 18 events │.*FOLLOW"
tmux resize-window -t "$session" -x 80 -y 24
check "reflows to tabs at 80x24" see "$session" "^0 Overview .*1 Rates +2 Denied"
check "nothing wider than 80 columns" test "$(widest "$session")" -le 80
mv "$log" "$work/audit-2026-03-14T09-00-00.000.log"
events 19 21 system:kube-scheduler 200 > "$log"
check "follows through rotation by rename" see "$session" "(^|[│ ])21 events "
check "nothing read twice after the rename" see "$session" "dup 0 "
cp "$log" "$work/audit.log.1"
truncate -s 0 "$log"
sleep 0.5
events 22 25 system:kube-scheduler 200 >> "$log"
check "follows through copy-then-truncate" see "$session" "(^|[│ ])25 events "
check "nothing read twice after the truncation" see "$session" "dup 0 "
tmux send-keys -t "$session" q
check "quits with q and exit 0" see "$session" "EXIT=0"
tmux send-keys -t "$session" "echo echo-on=\$(stty -a | grep -c ' echo ')" Enter
check "leaves the shell usable (echo on)" see "$session" "^echo-on=1"

# Events on stdin, keys from the terminal.
tmux send-keys -t "$session" "clear; cat $log | $bin - ; echo STDIN-EXIT=\$?" Enter
check "reads stdin to its end" see "$session" "(^|[│ ])4 events .*stdin: end"
tmux send-keys -t "$session" 3
check "takes keys from the terminal while stdin is a pipe" see "$session" "─ 3 Unknown users"
tmux send-keys -t "$session" q
check "quits from a stdin session" see "$session" "STDIN-EXIT=0"

# A crash (SIGSEGV) still leaves the terminal usable (Tests/EndToEnd/crash.sh checks crashes
# in full: every signal, the pane's modes, the backtrace).
tmux send-keys -t "$session" "clear; $bin $log; echo CRASH-EXIT=\$?" Enter
see "$session" "FOLLOW" >/dev/null
child=$(pgrep -P "$(tmux list-panes -t "$session" -F '#{pane_pid}')" | head -1)
kill -SEGV "$child"
check "a crash exits with the signal" see "$session" "CRASH-EXIT=139"
tmux send-keys -t "$session" "clear; echo after-crash-echo-on=\$(stty -a | grep -c ' echo ')" Enter
check "a crash restores the terminal (echo on)" see "$session" "^after-crash-echo-on=1"

# Replay of a saved, rotated set at 10x: pause, step, and go back in time.
replaylog=$work/replay
mkdir -p "$replaylog"
"$bin" demo --write "$replaylog/audit.log" --events 60000 --seed 3 >/dev/null
tmux resize-window -t "$session" -x 160 -y 40
tmux send-keys -t "$session" "clear; $bin --replay --speed 10x $replaylog; echo REPLAY-EXIT=\$?" Enter
check "replays at 10x" see "$session" "09:00:0[0-9] 10x"
tmux send-keys -t "$session" " "
check "pauses the replay" see "$session" "[0-9] paused [0-9]+%"
# The count is read once it has settled: on a loaded machine the last batch before the
# pause can still be on its way when "paused" shows. So one step is taken first, and the
# count must then hold for three reads in a row before the step that is checked.
tmux send-keys -t "$session" "."
before=-1
same=0
for _ in $(seq 1 30); do
  sleep 0.3
  count=$(screen "$session" | grep -Eo '│ [0-9]+ events' | head -1 | grep -Eo '[0-9]+')
  if [ "$count" = "$before" ]; then same=$((same + 1)); else same=0; fi
  before=$count
  [ "$same" -ge 2 ] && break
done
tmux send-keys -t "$session" "."
check "steps one event while paused" see "$session" "│ $((before + 1)) events │"
check "the status bar says REPLAY, paused" see "$session" "REPLAY PAUSED [0-9]+%"
check "the hints line shows the replay's keys" see "$session" "^space pause  \+/- speed  \. step"
tmux send-keys -t "$session" @ "09:00:01" Enter
check "goes back to a time (@)" see "$session" "09:00:01 paused"
check "shows the timeline while replaying" see "$session" "─ 8 Timeline"
tmux send-keys -t "$session" m "]" m "]"
check "marks a range on the timeline" see "$session" "\[.*\].*▲|\[.*▲.*\]"
tmux send-keys -t "$session" c
check "clears the range" see "$session" "^│09:00:00 +▲|▲[^][]*$"
tmux send-keys -t "$session" q
check "quits the replay" see "$session" "REPLAY-EXIT=0"

# Following, as lnav does it: a moved cursor stays on its event while the demo feeds the
# Stream (the selected row is the one drawn in reverse video on a vt100), G follows again,
# and q closes the detail view without quitting.
# The text of the selected (reverse-video) row of the Stream on session $1's screen.
selected_row() { tmux capture-pane -p -e -t "$1" | grep '^│'$'\e''\[0;7m' | sed 's/\x1b\[[0-9;]*m//g' | head -1; }
tmux new-session -d -s "$session-follow" -x 120 -y 40 "TERM=vt100 $bin demo"
check "the demo starts on a vt100" see "$session-follow" "│ [0-9]+ events │"
tmux send-keys -t "$session-follow" 4
sleep 1
tmux send-keys -t "$session-follow" k k k
check "moving the cursor stops following: SCROLL (N new)" see "$session-follow" "SCROLL \([0-9]+ new\)$"
sleep 0.5  # the three keys are in, and drawn
first_row=$(selected_row "$session-follow")
first_new=$(screen "$session-follow" | head -1 | grep -Eo 'SCROLL \([0-9]+' | grep -Eo '[0-9]+')
sleep 2
later_row=$(selected_row "$session-follow")
check "the selected row stays on its event during a live feed" test -n "$first_row" -a "$first_row" = "$later_row"
[ "$first_row" = "$later_row" ] || printf 'before: %s\nafter:  %s\n' "$first_row" "$later_row"
check "N new counts what arrived after it" test "$(screen "$session-follow" | head -1 | grep -Eo 'SCROLL \([0-9]+' | grep -Eo '[0-9]+')" -gt "${first_new:-0}"
tmux send-keys -t "$session-follow" Enter
check "Enter opens the selected event" see "$session-follow" "Event #[0-9]+ "
tmux send-keys -t "$session-follow" q
check "q in the detail view closes it" see "$session-follow" "─ 4 Stream"
check "... and does not quit" test "$(tmux list-panes -t "$session-follow" -F '#{pane_dead}' 2>/dev/null || echo gone)" = 0
tmux send-keys -t "$session-follow" G
check "G follows again" see "$session-follow" "FOLLOW$"
tmux kill-session -t "$session-follow"

# :known USER survives a restart: it goes to the default known-users file, read at start.
knownlog=$work/known.log
events 1 3 mallory@evil.example 403 > "$knownlog"
tmux new-session -d -s "$session-known" -x 120 -y 40 "bash --norc --noprofile"
tmux send-keys -t "$session-known" "export PS1='$ ' XDG_CONFIG_HOME=$work/config SWIFT_BACKTRACE=interactive=no TERM=xterm-256color; clear; $bin --learn 0s $knownlog; echo KNOWN-EXIT=\$?" Enter
tmux send-keys -t "$session-known" 3
check "the newcomer is an unknown user" see "$session-known" "─ 3 Unknown users \(1\)"
tmux send-keys -t "$session-known" ":known mallory@evil.example" Enter
check ":known says where it wrote" see "$session-known" "mallory@evil.example is known now \(added to $work/config/audittop/known-users\)"
tmux send-keys -t "$session-known" q
check "quits" see "$session-known" "KNOWN-EXIT=0"
tmux send-keys -t "$session-known" "clear; $bin --learn 0s $knownlog; echo KNOWN-EXIT=\$?" Enter
tmux send-keys -t "$session-known" 3
check ":known USER survives a restart" see "$session-known" "─ 3 Unknown users \(0\)"
tmux send-keys -t "$session-known" q
# A mistyped subcommand is answered, not taken for a file to wait for.
tmux send-keys -t "$session-known" "clear; $bin reprot $knownlog; echo TYPO-EXIT=\$?" Enter
check "a mistyped subcommand is answered" see "$session-known" "no subcommand or file 'reprot'; did you mean 'report'\?"
check "... with exit 2" see "$session-known" "TYPO-EXIT=2"
tmux kill-session -t "$session-known"

# Asking questions: a filter, a drill-down from the top users, an export, an alert's events.
"$bin" demo --write "$work/incident.log" --events 60000 --seed 3 >/dev/null
tmux send-keys -t "$session" "clear; $bin $work/incident.log; echo FILTER-EXIT=\$?" Enter
check "loads the incident log" see "$session" "│ 60000 events │"
tmux send-keys -t "$session" /
tmux send-keys -t "$session" -l "user=kubernetes-admin verb=get,list"
check "counts matching events while the filter is typed" see "$session" "^/user=kubernetes-admin verb=get,list.*  [1-9][0-9]* matching events in the ring"
tmux send-keys -t "$session" Enter
check "applies the filter to the status bar and stream, a breadcrumb a term" see "$session" "filter: user=kubernetes-admin › verb=get,list \([1-9][0-9]* events\)"
check "the filtered stream holds only that user" bash -c "tmux capture-pane -p -t $session | grep -E '^│[0-9:]{8} ' | grep -vq kubernetes-ad && exit 1 || exit 0"
tmux send-keys -t "$session" /
tmux send-keys -t "$session" C-u
tmux send-keys -t "$session" -l "usr=x"
tmux send-keys -t "$session" Enter
check "a filter mistake says the column" see "$session" "column 1: unknown field 'usr'"
tmux send-keys -t "$session" Escape Escape
check "Esc clears the filter" gone "$session" "filter:"
tmux send-keys -t "$session" 5 Enter
check "Enter on a top user opens its story" see "$session" "Story of sa:[a-z-]+/"
tmux send-keys -t "$session" f
check "f in the story drills down on the user" see "$session" "filter: user=system:serviceaccount:[a-z:-]+ \([1-9][0-9]* events\)"
tmux send-keys -t "$session" :
tmux send-keys -t "$session" -l "exp"
tmux send-keys -t "$session" Tab
tmux send-keys -t "$session" -l "$work/exported.jsonl"
tmux send-keys -t "$session" Enter
check "exports the matching events" see "$session" "exported [1-9][0-9]* events to $work/exported.jsonl"
exported=$(screen "$session" | grep -Eo 'exported [0-9]+' | grep -Eo '[0-9]+')
check "the export is the filter's events, replayable" test "$("$bin" report "$work/exported.jsonl" --format json | grep -Eo '"events" : [0-9]+' | grep -Eo '[0-9]+')" = "$exported"
tmux send-keys -t "$session" BSpace
check "Backspace drops the drill-down" gone "$session" "filter:"
tmux send-keys -t "$session" 7
check "the Alerts pane lists the incident" see "$session" "(CRIT|HIGH) Attach/Exec"
tmux send-keys -t "$session" Enter
check "Enter on an alert shows its events" see "$session" 'filter: alert="[A-Za-z/ -]+" \([1-9][0-9]* events\)'
tmux send-keys -t "$session" q
check "quits after filtering" see "$session" "FILTER-EXIT=0"

tmux new-session -d -s "$session-demo" -x 200 -y 60 "TERM=xterm-256color $bin demo"
sleep 2
check "demo shows non-zero rates within 2 s" see "$session-demo" "total .* now [1-9][0-9]* "
tmux send-keys -t "$session-demo" q

# Themes and the war-room wall.
# The SGR parameters that set a colour (30-38, 40-48, 90-97, 100-107) on session $1's screen.
colour_sets() {
  tmux capture-pane -p -e -t "$1" | grep -o $'\e\[[0-9;]*m' | tr -d $'\e[m' | tr ';' '\n' \
    | grep -Ex '3[0-8]|4[0-8]|9[0-7]|10[0-7]' | wc -l
}
tmux new-session -d -s "$session-wall" -x 120 -y 40 "TERM=xterm-256color $bin demo --wall --rotate 2"
check "demo --wall shows the big counters" see "$session-wall" "EVENTS/S .*DENIED/MIN"
check "the wall shows digits five rows high" see "$session-wall" "^  ████"
check "the wall rotates the panes below" see "$session-wall" "─ 7 Alerts .*rotates every 2 s"
walls_colours=$(colour_sets "$session-wall")
tmux send-keys -t "$session-wall" w
check "w leaves the wall" see "$session-wall" "1 Rates  2 Denied"
tmux send-keys -t "$session-wall" q
tmux new-session -d -s "$session-light" -x 100 -y 30 "TERM=xterm-256color $bin demo --theme light"
check "demo --theme light starts" see "$session-light" "events"
check "the light theme draws on a white background" bash -c "tmux capture-pane -p -e -t $session-light | grep -q '48;5;231'"
tmux send-keys -t "$session-light" t
check "t cycles to the next theme" see "$session-light" "theme: monochrome"
check "the monochrome theme sets no colour" bash -c "sleep 0.3; [ \$(tmux capture-pane -p -e -t $session-light | grep -o $'\e\[[0-9;]*m' | tr -d $'\e[m' | tr ';' '\n' | grep -Ecx '3[0-8]|4[0-8]|9[0-7]|10[0-7]') -eq 0 ]"
tmux send-keys -t "$session-light" q
tmux new-session -d -s "$session-true" -x 100 -y 30 "COLORTERM=truecolor TERM=xterm-256color $bin demo --theme solarized-dark"
check "COLORTERM=truecolor draws Solarized in 24-bit colour" see "$session-true" "events"
check "its background is #002b36 exactly" bash -c "for _ in \$(seq 30); do tmux capture-pane -p -e -t $session-true | grep -q '48;2;0;43;54' && exit 0; sleep 0.1; done; exit 1"
tmux send-keys -t "$session-true" q
tmux new-session -d -s "$session-256" -x 100 -y 30 "TERM=xterm-256color $bin demo --theme solarized-dark"
check "without COLORTERM, the nearest of 256 (#002b36 is 234)" bash -c "sleep 1; tmux capture-pane -p -e -t $session-256 | grep -q '48;5;234' && ! tmux capture-pane -p -e -t $session-256 | grep -q '48;2;'"
tmux send-keys -t "$session-256" q
tmux new-session -d -s "$session-mono" -x 100 -y 30 "NO_COLOR=1 TERM=xterm-256color $bin demo"
check "NO_COLOR starts" see "$session-mono" "events"
check "NO_COLOR output has no colour escapes" test "$(colour_sets "$session-mono")" -eq 0
check "the same count finds colours in a colour run" test "$walls_colours" -gt 0
tmux send-keys -t "$session-mono" q

# The incident strip at 80x24: the most severe alert, its actor and target, on line 2.
# Waits up to 90 s: the demo's incident starts a minute in.
strip() { screen "$session-strip" | sed -n 2p; }
for _ in $(seq 900); do strip | grep -Eq '^ (CRIT|HIGH) ' && break; sleep 0.1; done
check "the strip shows a high alert with its actor and target at 80x24" bash -c "tmux capture-pane -p -t $session-strip | sed -n 2p | grep -Eq '^ (CRIT|HIGH) .+  .+  .+ [0-9:]{8}'"
check "the Overview is the first screen, with the alert count on its tab" see "$session-strip" "^0 Overview [1-9][0-9]*! "
check "the status bar says the live demo is learning" see "$session-strip" "(^| )learning [0-9]+m"
before=$(strip)
tmux send-keys -t "$session-strip" a
check "a acknowledges the strip's alert and the next one shows" bash -c "for _ in \$(seq 30); do [ \"\$(tmux capture-pane -p -t $session-strip | sed -n 2p)\" != '$before' ] && exit 0; sleep 0.1; done; exit 1"
tmux send-keys -t "$session-strip" Enter
check "Enter on a suspect opens its story" see "$session-strip" "─ Story of .*(Esc back, f filter)"
check "the story lists the identity's requests and networks" see "$session-strip" "^│networks +[0-9a-f.:]+/(24|64) \([0-9]+\)"
tmux send-keys -t "$session-strip" q
check "q in the story goes back to the Overview" see "$session-strip" "─ 0 Overview"
tmux send-keys -t "$session-strip" q

out=$("$bin" "$log" </dev/null 2>&1 >/dev/null); code=$?
check "no terminal: exit 2 with a message" test "$code" -eq 2 -a -n "$out"

finish dashboard
