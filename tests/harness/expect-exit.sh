#!/bin/sh
# expect-exit.sh CODE COMMAND [ARGS...]
# Runs COMMAND and succeeds only if it exits with exactly CODE, so a test can
# check the status a program really returned (ctest alone knows only zero or
# not zero).
want=$1
shift
"$@"
got=$?
if [ "$got" -ne "$want" ]; then
    echo "expect-exit: '$*' exited with $got, expected $want" >&2
    exit 1
fi
exit 0
