# What the end-to-end scripts share; source it after `cd` to the package root.
#   check DESCRIPTION COMMAND...   runs COMMAND, prints "ok" or "FAIL" with DESCRIPTION
#   finish NAME                    prints the tally; returns non-zero when a check failed
passed=0
failed=0
# Which binary is tested: the debug build `swift build` makes (what the README's test command
# builds), unless AUDITTOP names another (AUDITTOP=.build/release/audittop).
if [ -n "${bin:-}" ]; then
  if [ -n "${AUDITTOP:-}" ]; then echo "testing $bin (from AUDITTOP)"; else echo "testing $bin (the debug build; set AUDITTOP for another)"; fi
fi
check() {
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
finish() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
