# What the end-to-end scripts share; source it after `cd` to the package root.
#   check DESCRIPTION COMMAND...   runs COMMAND, prints "ok" or "FAIL" with DESCRIPTION
#   finish NAME                    prints the tally; returns non-zero when a check failed
passed=0
failed=0
check() {
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
finish() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
