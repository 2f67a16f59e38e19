#!/usr/bin/env bash
# gen.sh DRIVER [VARIANT [OUT]] writes the DDL of Devise's users migration
# as ActiveRecord sends it (gen.rb) to OUT, by default
# ../../../ddl/devise/DRIVER[.VARIANT].sql. VARIANT is default or
# confirmable-lockable. Run with Debian's ruby-devise 4.8.1 and
# ruby-activerecord 6.1 (ruby-sqlite3, ruby-pg, ruby-mysql2); DRIVER is
# sqlite, or postgres or mysql on the servers scripts/services.sh starts.
set -euo pipefail
cd "$(dirname "$0")"
driver=${1:?usage: gen.sh sqlite|postgres|mysql [default|confirmable-lockable [OUT]]}
variant=${2:-default}
suffix=
[ "$variant" = default ] || suffix=.$variant
out=${3:-../../../ddl/devise/$driver$suffix.sql}
# shellcheck source=../scratch.sh
. ../scratch.sh
scratch "$driver"
export DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME DB_SCHEMA
/usr/bin/ruby gen.rb "$driver" "$variant" >"$SCRATCH_DIR/out.sql"
mkdir -p "$(dirname "$out")"
mv "$SCRATCH_DIR/out.sql" "$out"
echo "wrote $out" >&2
