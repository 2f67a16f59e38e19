# scratch.sh, sourced by the generators: scratch DRIVER makes an empty
# namespace on the test server of DRIVER and sets DB_HOST, DB_PORT, DB_USER,
# DB_PASSWORD, DB_NAME (the database to connect to) and DB_SCHEMA (the
# PostgreSQL schema to put first on the search path; empty elsewhere). The
# servers are the ones scripts/services.sh starts, named by
# FERRY_TEST_POSTGRES_DSN and FERRY_TEST_MYSQL_DSN. sqlite needs no server:
# DB_NAME is a file in a fresh directory. The namespace is dropped on exit.

scratch() {
  local driver=$1 name
  name="ferry_gen_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  SCRATCH_DIR=$(mktemp -d)
  DB_HOST= DB_PORT= DB_USER= DB_PASSWORD= DB_NAME= DB_SCHEMA=
  case $driver in
    sqlite)
      DB_NAME=$SCRATCH_DIR/app.sqlite3
      trap 'rm -rf "$SCRATCH_DIR"' EXIT ;;
    postgres)
      : "${FERRY_TEST_POSTGRES_DSN:?set it: eval \"\$(scripts/services.sh start DIR)\"}"
      eval "$(/usr/bin/python3 - "$FERRY_TEST_POSTGRES_DSN" <<'PY'
import shlex, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
for k, v in (("DB_HOST", u.hostname), ("DB_PORT", u.port or 5432), ("DB_USER", urllib.parse.unquote(u.username)),
             ("DB_PASSWORD", urllib.parse.unquote(u.password or "")), ("DB_NAME", u.path.lstrip("/"))):
    print(f"{k}={shlex.quote(str(v))}")
PY
)"
      DB_SCHEMA=$name
      scratch_psql "CREATE SCHEMA $name"
      trap 'scratch_psql "DROP SCHEMA '"$name"' CASCADE"; rm -rf "$SCRATCH_DIR"' EXIT ;;
    mysql)
      : "${FERRY_TEST_MYSQL_DSN:?set it: eval \"\$(scripts/services.sh start DIR)\"}"
      eval "$(/usr/bin/python3 - "$FERRY_TEST_MYSQL_DSN" <<'PY'
import re, shlex, sys
m = re.fullmatch(r"([^:@]*)(?::([^@]*))?@tcp\(([^:)]*):?(\d*)\)/([^?]*)(\?.*)?", sys.argv[1])
if not m:
    sys.exit("scratch.sh: FERRY_TEST_MYSQL_DSN is not user:password@tcp(host:port)/db")
for k, v in zip(("DB_USER", "DB_PASSWORD", "DB_HOST", "DB_PORT"), m.groups()):
    print(f"{k}={shlex.quote(v or '')}")
PY
)"
      DB_PORT=${DB_PORT:-3306}
      DB_NAME=$name
      scratch_mysql "CREATE DATABASE $name CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
      trap 'scratch_mysql "DROP DATABASE '"$name"'"; rm -rf "$SCRATCH_DIR"' EXIT ;;
    *) echo "scratch: no test server for driver $driver" >&2; return 2 ;;
  esac
}

scratch_psql() {
  PGPASSWORD=$DB_PASSWORD PGOPTIONS="-c client_min_messages=warning" psql -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -c "$1" >/dev/null
}

scratch_mysql() {
  MYSQL_PWD=$DB_PASSWORD mysql -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" -e "$1"
}
