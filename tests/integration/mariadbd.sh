# mariadbd.sh — start and stop a private MariaDB server for tests (sourceable).
#
#   . tests/integration/mariadbd.sh
#   mariadbd_start "$tmp/db"      # init datadir, start, wait until it answers
#   mariadbd_sql -e 'SELECT 1'    # the mariadb client on the private socket
#   mariadbd_stop                 # shut it down (also safe to call twice)
#
# The server never reads the system's option files (--no-defaults), keeps
# everything (datadir, socket, pid file, error log) under DIR, listens on the
# unix socket DIR/sock and on 127.0.0.1 at a free port (never 3306), and runs
# with --skip-grant-tables so any user name connects without a password.
# Works as root (passes --user=root) and as an ordinary user.
#
# Exports after a successful start:
#   MARIADBD_DIR     the directory given to mariadbd_start
#   MARIADBD_SOCKET  the unix socket path
#   MARIADBD_PORT    the loopback TCP port
#   MARIADBD_PID     the server's process id
# MARIADBD_OPTS (optional, set by the caller): more server options, split on
# spaces, after the defaults (e.g. a small InnoDB system tablespace).
# Functions return non-zero (after printing why on stderr) instead of exiting.

_mariadbd_find() { # name... -> first executable found on PATH or in sbin
    local n d
    for n in "$@"; do
        for d in "" /usr/sbin/ /usr/local/sbin/ /usr/bin/; do
            if [ -z "$d" ]; then
                command -v "$n" >/dev/null 2>&1 && { command -v "$n"; return 0; }
            elif [ -x "$d$n" ]; then
                echo "$d$n"; return 0
            fi
        done
    done
    return 1
}

_mariadbd_free_port() { # print a loopback TCP port nobody listens on
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return $?
    fi
    local p i
    for i in $(seq 1 50); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return 0; fi
    done
    return 1
}

mariadbd_start() { # DIR
    local dir="${1:?mariadbd_start: DIR required}"
    local mysqld install_db client user_opt=() port sock i
    mysqld=$(_mariadbd_find mariadbd mysqld) || { echo "mariadbd_start: mariadbd not found (apt-get install mariadb-server)" >&2; return 1; }
    install_db=$(_mariadbd_find mariadb-install-db mysql_install_db) || { echo "mariadbd_start: mariadb-install-db not found" >&2; return 1; }
    client=$(_mariadbd_find mariadb mysql) || { echo "mariadbd_start: mariadb client not found" >&2; return 1; }
    mkdir -p "$dir" || return 1
    dir=$(cd "$dir" && pwd) || return 1
    case "$dir" in
        /var/lib/mysql|/var/lib/mysql/*) echo "mariadbd_start: refusing to use the system datadir $dir" >&2; return 1 ;;
    esac
    sock="$dir/sock"
    if [ "${#sock}" -gt 100 ]; then
        echo "mariadbd_start: socket path too long (${#sock} > 100): $sock" >&2; return 1
    fi
    [ "$(id -u)" = 0 ] && user_opt=(--user=root)

    mkdir -p "$dir/data" "$dir/tmp" || return 1
    if [ ! -d "$dir/data/mysql" ]; then
        # a private tmpdir: bootstraps running at the same time in a shared
        # /tmp can collide on their temporary-table files
        if ! TMPDIR="$dir/tmp" "$install_db" --no-defaults --datadir="$dir/data" \
                --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
                "${user_opt[@]}" >"$dir/install.log" 2>&1; then
            echo "mariadbd_start: mariadb-install-db failed; log follows:" >&2
            tail -n 30 "$dir/install.log" >&2
            return 1
        fi
    fi

    port=$(_mariadbd_free_port) || { echo "mariadbd_start: no free port" >&2; return 1; }
    if [ "$port" = 3306 ]; then port=$(_mariadbd_free_port) || return 1; fi

    "$mysqld" --no-defaults "${user_opt[@]}" --datadir="$dir/data" --tmpdir="$dir/tmp" \
        --socket="$sock" --port="$port" --bind-address=127.0.0.1 --skip-networking=0 \
        --skip-grant-tables --skip-name-resolve --ignore-db-dirs=.tmp --pid-file="$dir/mariadbd.pid" \
        --log-error="$dir/error.log" --innodb-buffer-pool-size=128M \
        --innodb-flush-log-at-trx-commit=2 --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_general_ci --local-infile=1 ${MARIADBD_OPTS:-} \
        >"$dir/stdout.log" 2>&1 &
    MARIADBD_PID=$!
    MARIADBD_DIR="$dir"
    MARIADBD_SOCKET="$sock"
    MARIADBD_PORT="$port"
    export MARIADBD_PID MARIADBD_DIR MARIADBD_SOCKET MARIADBD_PORT

    for i in $(seq 1 300); do
        if "$client" --no-defaults --protocol=socket -S "$sock" -uroot -N -e 'SELECT 1' >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$MARIADBD_PID" 2>/dev/null; then
            echo "mariadbd_start: server exited during start; error log follows:" >&2
            tail -n 30 "$dir/error.log" >&2
            unset MARIADBD_PID
            return 1
        fi
        sleep 0.1
    done
    echo "mariadbd_start: server did not answer within 30 s; error log follows:" >&2
    tail -n 30 "$dir/error.log" >&2
    mariadbd_stop
    return 1
}

# The mariadb command-line client on the private socket, as root; extra
# arguments are passed through (e.g. -N -e 'SELECT ...').
mariadbd_sql() {
    local client
    client=$(_mariadbd_find mariadb mysql) || return 1
    "$client" --no-defaults --protocol=socket -S "${MARIADBD_SOCKET:?server not started}" -uroot "$@"
}

mariadbd_stop() {
    local pid="${MARIADBD_PID:-}" i
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for i in $(seq 1 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "mariadbd_stop: server $pid did not stop in 30 s, killing it" >&2
            kill -KILL "$pid" 2>/dev/null
        fi
    fi
    wait "$pid" 2>/dev/null
    unset MARIADBD_PID
    return 0
}

# When executed directly:
#   bash mariadbd.sh DIR   start a server in DIR and print its socket, port and
#                          pid, one per line (for C tests that exec this
#                          script); stop it later with kill -TERM <pid>.
#   bash mariadbd.sh       self-test (run by `make integration`): start a
#                          server in a temp dir, check that it answers on the
#                          socket and on loopback TCP, stop it.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    if [ $# -eq 1 ]; then
        mariadbd_start "$1" || exit 1
        printf '%s\n%s\n%s\n' "$MARIADBD_SOCKET" "$MARIADBD_PORT" "$MARIADBD_PID"
        disown "$MARIADBD_PID" 2>/dev/null
        exit 0
    fi
    if [ $# -ne 0 ]; then echo "usage: $0 [DIR]" >&2; exit 2; fi
    tmp=$(mktemp -d /tmp/abc-mdb.XXXXXX) || exit 1
    trap 'mariadbd_stop; rm -rf "$tmp"' EXIT
    mariadbd_start "$tmp/srv" || exit 1
    [ "$MARIADBD_PORT" != 3306 ] || { echo "FAIL: port 3306" >&2; exit 1; }
    got=$(mariadbd_sql -N -e 'SELECT @@port, @@datadir, @@bind_address') || exit 1
    case "$got" in
        "$MARIADBD_PORT	$MARIADBD_DIR/data/	127.0.0.1") ;;
        *) echo "FAIL: unexpected server settings: $got" >&2; exit 1 ;;
    esac
    tcp=$("$(_mariadbd_find mariadb mysql)" --no-defaults --protocol=tcp -h 127.0.0.1 \
          -P "$MARIADBD_PORT" -uroot -N -e 'SELECT 40 + 2') || { echo "FAIL: no TCP answer" >&2; exit 1; }
    [ "$tcp" = 42 ] || { echo "FAIL: TCP query returned '$tcp'" >&2; exit 1; }
    pid=$MARIADBD_PID
    mariadbd_stop
    if kill -0 "$pid" 2>/dev/null; then echo "FAIL: server still running" >&2; exit 1; fi
    echo "mariadbd.sh: ok (socket and 127.0.0.1:$MARIADBD_PORT)"
    exit 0
fi
