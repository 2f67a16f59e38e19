#!/usr/bin/env bash
# gen.sh mysql [VARIANT [OUT]] writes WordPress's own schema for the default
# wp_ prefix (gen.php) to OUT, by default
# ../../../ddl/wordpress/mysql[.VARIANT].sql. VARIANT is default or
# multisite. Run with Debian's wordpress (6.1) and php-cli, php-mysql, on the
# MariaDB scripts/services.sh starts: WordPress runs on MySQL and MariaDB only.
set -euo pipefail
cd "$(dirname "$0")"
driver=${1:?usage: gen.sh mysql [default|multisite [OUT]]}
[ "$driver" = mysql ] || { echo "gen.sh: WordPress runs on MySQL and MariaDB only" >&2; exit 2; }
variant=${2:-default}
suffix=
[ "$variant" = default ] || suffix=.$variant
out=${3:-../../../ddl/wordpress/mysql$suffix.sql}
# shellcheck source=../scratch.sh
. ../scratch.sh
scratch mysql
export DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME SCRATCH_DIR
args=()
[ "$variant" = default ] || args=("$variant")
/usr/bin/php gen.php "${args[@]}" >"$SCRATCH_DIR/out.sql"
mkdir -p "$(dirname "$out")"
mv "$SCRATCH_DIR/out.sql" "$out"
echo "wrote $out" >&2
