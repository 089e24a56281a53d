#!/bin/sh
# check-native.sh NATIVE_PROGRAM
# The native tier's run of a conformance scenario: the program must exit 0
# and every TRACE_TRUE must hold against the kernel -- otherwise the
# scenario's own expectations are wrong.
"$1" >"$1.trace" 2>&1
status=$?
cat "$1.trace"
if [ $status -ne 0 ]; then echo "exited with $status"; exit 1; fi
if grep -q ': NO$' "$1.trace"; then echo "a check failed against the kernel"; exit 1; fi
exit 0
