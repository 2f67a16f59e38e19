#!/usr/bin/env bash
# Installs what `make test` needs on a fresh Debian machine. Idempotent: it
# installs only what is missing, so a second run costs a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: servers the integration tests run against, the AWS CLI,
# the independent implementations that generated the hash vectors, and the
# browser the managed-login test drives.
pkgs=(mariadb-server slapd ldap-utils awscli chromium)
# The real applications test/realapps installs and runs: Django with the
# hashers' libraries and its PostgreSQL and MySQL drivers, WordPress on php-cli.
pkgs+=(python3-django python3-argon2 python3-bcrypt python3-psycopg2 python3-mysqldb wordpress php-cli php-mysql)
# Devise on ActiveRecord with its three adapters, and bcrypt for its encryptor.
pkgs+=(ruby-devise ruby-activerecord ruby-sqlite3 ruby-pg ruby-mysql2 ruby-bcrypt)
# Laravel's database layer and hashing (Illuminate 8) on PHP's SQLite and PostgreSQL drivers.
pkgs+=(php-illuminate-database php-illuminate-hashing php-sqlite3 php-pgsql)
# The documentation's commands (test/docs runs them) sign and send requests.
pkgs+=(openssl curl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node packages for the real-client tests and the peer benchmark, from the
# committed lockfile. npm ci runs again when the lockfile is newer than the
# installed tree (npm records it in node_modules/.package-lock.json).
if ! command -v npm >/dev/null; then
  echo "deps: installing nodejs npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
for dir in test/clients/node; do
  if [ -f "$dir/package-lock.json" ] && { [ ! -f "$dir/node_modules/.package-lock.json" ] ||
      [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    echo "deps: npm ci in $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

go mod download
