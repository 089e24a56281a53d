# Sourced by the scripts that start servers (tests/harness/services.sh,
# demo/services.sh, scripts/bench-proxy.sh). Each server runs in a process
# group of its own (setsid), so stopping the group also stops whatever the
# server forked (websockify forks a process per connection), and a group
# can be checked for survivors afterwards.

# group_alive PGID: 0 if a process of that group is alive (zombies count
# as gone). PGID defaults to $GROUP.
group_alive() {
    local want=${1:-$GROUP} stat rest
    for stat in /proc/[0-9]*/stat; do
        read -r rest <"$stat" 2>/dev/null || continue
        rest=${rest##*) }               # the fields after "pid (comm) "
        set -- $rest                    # $1 state, $2 ppid, $3 pgrp
        if [ "$3" = "$want" ] && [ "$1" != Z ]; then return 0; fi
    done 2>/dev/null
    return 1
}

# stop_group PGID: SIGTERM to the group, up to 5 s of grace, then SIGKILL;
# reaps the leader when it is this shell's child.
stop_group() {
    local group=$1 i
    [ -n "$group" ] || return 0
    kill -TERM -- "-$group" 2>/dev/null || return 0
    for i in $(seq 50); do
        group_alive "$group" || { wait "$group" 2>/dev/null; return 0; }
        sleep 0.1
    done
    if declare -F say >/dev/null; then say "group $group ignored SIGTERM; killing it"; fi
    kill -KILL -- "-$group" 2>/dev/null
    sleep 0.1
    wait "$group" 2>/dev/null
    return 0
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# port_open PORT: 0 if something accepts connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
