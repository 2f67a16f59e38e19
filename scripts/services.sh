#!/usr/bin/env bash
# services.sh start DIR | stop DIR
#
# Starts the SQL servers the integration tests run against — PostgreSQL 15
# and MariaDB — on 127.0.0.1 with free ports, each with its data, socket,
# log and PID file under DIR, and prints one `export NAME='value'` line per
# server on stdout (everything else goes to stderr):
#
#   export FERRY_TEST_POSTGRES_DSN='postgres://ferry:…@127.0.0.1:PORT/ferry_test?sslmode=disable'
#   export FERRY_TEST_MYSQL_DSN='ferry:…@tcp(127.0.0.1:PORT)/ferry_test?parseTime=true'
#
# The test user owns ferry_test and may create databases/schemas, so each test
# can work in a namespace of its own and drop it afterwards.
#
# `stop DIR` stops exactly the servers recorded in DIR (SIGTERM, then SIGKILL
# after a bounded wait). `start` is re-runnable: it first stops what an earlier
# start left in DIR, then initialises fresh data directories.
#
# Works on a fresh Debian 12 machine: PostgreSQL 15 from
# /usr/lib/postgresql/15/bin, MariaDB from the mariadb-server package
# (installed by scripts/deps.sh). Each server has its own start_*/stop_*
# function; add new servers the same way.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# How long a server may take to accept connections before start gives up.
WAIT_SECONDS=${FERRY_SERVICES_WAIT:-60}
# The unprivileged account PostgreSQL runs as: initdb and postgres refuse root.
PG_USER=${PG_USER:-postgres}

log() { echo "services: $*" >&2; }
die() { log "error: $*"; exit 1; }

# free_port prints a TCP port nobody listens on at 127.0.0.1. Between this
# check and the server binding it another process could take it; start_*
# then fails with the server's log, and a re-run picks another port.
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if command -v ss >/dev/null 2>&1; then
      if [ -z "$(ss -ltnH "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return 0; fi
    elif ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  die "no free TCP port found on 127.0.0.1"
}

# random_secret prints a URL- and DSN-safe random password.
random_secret() {
  head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# wait_until DESC PIDFILE CMD...: runs CMD until it succeeds, the server dies,
# or WAIT_SECONDS pass.
wait_until() {
  local desc=$1 pid=$2; shift 2
  local deadline=$(( SECONDS + WAIT_SECONDS ))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$desc did not accept connections within ${WAIT_SECONDS}s"
      return 1
    fi
    sleep 0.2
  done
}

# stop_pid NAME PIDFILE: SIGTERM the recorded process, wait up to 30 s, then
# SIGKILL. Only the PID recorded in PIDFILE is ever signalled.
stop_pid() {
  local name=$1 pidfile=$2 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(head -n1 "$pidfile" | tr -cd '0-9')
  rm -f "$pidfile"
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  log "$name (pid $pid) ignored SIGTERM for 30s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# grant_traverse lets the PostgreSQL account reach DIR: mktemp -d makes
# directories that only root may enter, and the data directory must live
# under DIR. Only the search (x) bit is added, never read or write.
grant_traverse() {
  local d
  d=$(cd "$1" && pwd)
  while [ "$d" != "/" ]; do
    if ! runuser -u "$PG_USER" -- test -x "$d" 2>/dev/null; then
      chmod o+x "$d"
    fi
    d=$(dirname "$d")
  done
}

# ---------------------------------------------------------------- PostgreSQL

start_postgres() {
  local dir=$1/postgres port pass pid
  [ -x "$PG_BIN/postgres" ] || die "PostgreSQL not found in $PG_BIN"
  id "$PG_USER" >/dev/null 2>&1 || die "user $PG_USER does not exist (PostgreSQL refuses to run as root)"
  rm -rf "$dir"
  mkdir -p "$dir"
  grant_traverse "$1"
  chown "$PG_USER" "$dir"
  chmod 700 "$dir"
  port=$(free_port)
  pass=$(random_secret)

  log "postgres: initdb in $dir/data"
  runuser -u "$PG_USER" -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "postgres: initdb failed"; }

  log "postgres: starting on 127.0.0.1:$port"
  # fsync off: throwaway test data, and the machine's disk is shared.
  # setpriv execs in place (runuser would fork), so $! is the postmaster.
  setpriv --reuid="$PG_USER" --regid="$PG_USER" --init-groups -- "$PG_BIN/postgres" -D "$dir/data" -p "$port" \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories="$dir" \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
    -c max_connections=200 >"$dir/server.log" 2>&1 &
  pid=$!
  echo "$pid" >"$1/postgres.pid"
  if ! wait_until postgres "$pid" runuser -u "$PG_USER" -- "$PG_BIN/pg_isready" -q -h "$dir" -p "$port"; then
    tail -n 30 "$dir/server.log" >&2 || true
    die "postgres: server did not start (log: $dir/server.log)"
  fi

  runuser -u "$PG_USER" -- "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
    >/dev/null <<SQL || die "postgres: creating the test role and database"
CREATE ROLE ferry LOGIN CREATEDB CREATEROLE PASSWORD '$pass';
CREATE DATABASE ferry_test OWNER ferry;
SQL
  echo "export FERRY_TEST_POSTGRES_DSN='postgres://ferry:$pass@127.0.0.1:$port/ferry_test?sslmode=disable'"
}

stop_postgres() {
  # postgres treats SIGTERM as a "smart" shutdown that waits for clients;
  # SIGINT ("fast") disconnects them, which is what a test run wants.
  local pidfile=$1/postgres.pid pid
  if [ -f "$pidfile" ]; then
    pid=$(head -n1 "$pidfile" | tr -cd '0-9')
    [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null || true
  fi
  stop_pid postgres "$pidfile"
}

# ------------------------------------------------------------------- MariaDB

mariadb_server() {
  command -v mariadbd 2>/dev/null || { [ -x /usr/sbin/mariadbd ] && echo /usr/sbin/mariadbd; } ||
    command -v mysqld 2>/dev/null || { [ -x /usr/sbin/mysqld ] && echo /usr/sbin/mysqld; } || true
}

start_mariadb() {
  local dir=$1/mariadb port pass pid server client
  server=$(mariadb_server)
  [ -n "$server" ] || die "mariadbd not found (scripts/deps.sh installs mariadb-server)"
  client=$(command -v mariadb || command -v mysql || true)
  [ -n "$client" ] || die "the mariadb client is not installed"
  rm -rf "$dir"
  mkdir -p "$dir/data" "$dir/tmp"
  port=$(free_port)
  pass=$(random_secret)

  log "mariadb: install-db in $dir/data"
  mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
    { cat "$dir/install.log" >&2; die "mariadb: mariadb-install-db failed"; }

  log "mariadb: starting on 127.0.0.1:$port"
  "$server" --no-defaults --user=root --datadir="$dir/data" --tmpdir="$dir/tmp" \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/server.log" \
    --skip-networking=0 --bind-address=127.0.0.1 --port="$port" \
    --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --skip-log-bin \
    --max-connections=300 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    >/dev/null 2>&1 &
  pid=$!
  echo "$pid" >"$1/mariadb.pid"
  if ! wait_until mariadb "$pid" "$client" --no-defaults --protocol=socket -S "$dir/mysqld.sock" -uroot -e 'SELECT 1'; then
    tail -n 30 "$dir/server.log" >&2 || true
    die "mariadb: server did not start (log: $dir/server.log)"
  fi

  "$client" --no-defaults --protocol=socket -S "$dir/mysqld.sock" -uroot <<SQL || die "mariadb: creating the test user and database"
CREATE DATABASE ferry_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'ferry'@'127.0.0.1' IDENTIFIED BY '$pass';
CREATE USER 'ferry'@'localhost' IDENTIFIED BY '$pass';
GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'localhost';
SQL
  echo "export FERRY_TEST_MYSQL_DSN='ferry:$pass@tcp(127.0.0.1:$port)/ferry_test?parseTime=true'"
}

stop_mariadb() {
  stop_pid mariadb "$1/mariadb.pid"
}

# ---------------------------------------------------------------------- main

usage() { echo "usage: $0 start DIR | stop DIR" >&2; exit 2; }

[ $# -eq 2 ] || usage
cmd=$1
# SERVICES_DIR, not dir: the start_* functions have locals named dir, and
# bash's dynamic scoping would show the EXIT trap theirs.
SERVICES_DIR=$2
case "$cmd" in
  start)
    mkdir -p "$SERVICES_DIR"
    SERVICES_DIR=$(cd "$SERVICES_DIR" && pwd)
    stop_postgres "$SERVICES_DIR"
    stop_mariadb "$SERVICES_DIR"
    # On failure, stop whatever did start so nothing is left running.
    started=0
    trap 'if [ "$started" != 1 ]; then stop_postgres "$SERVICES_DIR"; stop_mariadb "$SERVICES_DIR"; fi' EXIT
    start_postgres "$SERVICES_DIR"
    start_mariadb "$SERVICES_DIR"
    started=1
    log "ready"
    ;;
  stop)
    [ -d "$SERVICES_DIR" ] || exit 0
    SERVICES_DIR=$(cd "$SERVICES_DIR" && pwd)
    stop_postgres "$SERVICES_DIR"
    stop_mariadb "$SERVICES_DIR"
    ;;
  *) usage ;;
esac
