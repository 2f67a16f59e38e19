#!/usr/bin/env bash
# gen.sh DRIVER [VARIANT [OUT]] writes the DDL of Laravel 8's default users migration
# as Illuminate's schema builder sends it (gen.php) to OUT, by default
# ../../../ddl/laravel/DRIVER.sql. Run with Debian's php-cli and
# php-illuminate-database 8.83 (php-sqlite3, php-pgsql, php-mysql); DRIVER
# is sqlite, or postgres or mysql on the servers scripts/services.sh starts.
set -euo pipefail
cd "$(dirname "$0")"
driver=${1:?usage: gen.sh sqlite|postgres|mysql [default [OUT]]}
[ "${2:-default}" = default ] || { echo "gen.sh: laravel has no DDL variant ${2}" >&2; exit 2; }
out=${3:-../../../ddl/laravel/$driver.sql}
# shellcheck source=../scratch.sh
. ../scratch.sh
scratch "$driver"
# Laravel opens an SQLite database only if the file exists (its docs: touch it).
[ "$driver" != sqlite ] || : >"$DB_NAME"
export DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME DB_SCHEMA
/usr/bin/php gen.php "$driver" >"$SCRATCH_DIR/out.sql"
mkdir -p "$(dirname "$out")"
mv "$SCRATCH_DIR/out.sql" "$out"
echo "wrote $out" >&2
