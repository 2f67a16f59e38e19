#!/usr/bin/env bash
# services-ldap.sh start DIR | stop DIR | restart DIR
#
# start: runs a throw-away OpenLDAP slapd for the LDAP source's integration
# tests, entirely inside DIR and on 127.0.0.1 only:
#   - a self-signed CA and a server certificate for 127.0.0.1 (openssl),
#   - a generated slapd.conf with an mdb database for dc=ferry,dc=test and the
#     ppolicy overlay (so pwdAccountLockedTime means "locked"),
#   - seed entries loaded offline with slapadd, passwords hashed {SSHA} by
#     slappasswd: a service account, users, a locked user, two entries that
#     share one mail address, and a group,
#   - two password policies: the overlay's default (cn=default: no lockout, so
#     tests that type wrong passwords never lock the shared users) and
#     cn=lockout (pwdMaxFailure 3, pwdLockout TRUE, pwdLockoutDuration 300 s),
#     which tests give to entries of their own through pwdPolicySubentry,
#   - users under ou=hashes whose userPassword was written by OpenLDAP's own
#     tools: slappasswd {SSHA}, {SMD5}, {CRYPT} (crypt(3) SHA-512) and a
#     cleartext value, and one set over the wire by ldappasswd (the
#     password-modify extended operation, hashed by slapd),
#   - MANY_COUNT users under ou=many, more than OpenLDAP's default size limit
#     of 500, for paged listings; the service account may page through any
#     number of entries (limits size.prtotal=unlimited, as a directory that
#     Ferry lists must allow), a second, read-only account keeps the default
#     limit (so a listing it runs is cut short and must be refused),
#   - slapd listening on ldap:// (StartTLS offered) and ldaps:// on free ports.
# It prints `export NAME=value` lines on stdout (eval them) and logs on stderr;
# the slapd PID is kept in DIR/slapd.pid.
#
# stop: stops exactly the slapd recorded in DIR/slapd.pid, if it still runs.
# restart: stops it and starts it again on the same ports with the same data.
set -euo pipefail

usage() { echo "usage: $0 start|stop|restart DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
log() { echo "services-ldap: $*" >&2; }

SLAPD=${SLAPD:-/usr/sbin/slapd}
SUFFIX="dc=ferry,dc=test"
ADMIN_DN="cn=admin,$SUFFIX"
SVC_DN="cn=ferry-svc,ou=services,$SUFFIX"
LIMITED_DN="cn=ferry-svc-limited,ou=services,$SUFFIX"
MANY_COUNT=650

stop() {
  local pidfile="$dir/slapd.pid"
  [ -f "$pidfile" ] || { log "no slapd.pid in $dir: nothing to stop"; return 0; }
  local pid
  pid=$(cat "$pidfile")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "slapd $pid did not stop in 10 s; sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "stopped slapd $pid"
  fi
  rm -f "$pidfile"
}

# free_port prints a TCP port nobody listens on. There is a small window
# between this check and slapd's bind; start retries with new ports if slapd
# cannot bind.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! ss -Hltn "sport = :$p" | grep -q .; then echo "$p"; return 0; fi
  done
  log "no free port found"; return 1
}

ssha() { /usr/sbin/slappasswd -h '{SSHA}' -s "$1"; }
# hashpw SCHEME PASSWORD: slappasswd's hash of PASSWORD in SCHEME; {CRYPT}
# uses crypt(3) SHA-512 ($6$, 5000 rounds), as password_crypt_salt_format
# makes slapd write it.
hashpw() {
  if [ "$1" = '{CRYPT}' ]; then
    /usr/sbin/slappasswd -h '{CRYPT}' -c '$6$%.16s' -s "$2"
  else
    /usr/sbin/slappasswd -h "$1" -s "$2"
  fi
}

# run_slapd PORT SPORT starts slapd from DIR/slapd.conf on ldap://PORT and
# ldaps://SPORT and waits (up to 10 s) until the service account can search
# over StartTLS. slapd daemonizes and writes DIR/slapd.pid itself; its
# start-up errors land in DIR/slapd.log.
run_slapd() {
  local port=$1 sport=$2
  "$SLAPD" -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/ ldaps://127.0.0.1:$sport/" \
    -n ferry-test-slapd >"$dir/slapd.log" 2>&1 || return 1
  for _ in $(seq 1 100); do
    if LDAPTLS_CACERT="$dir/ca.pem" ldapsearch -x -H "ldap://127.0.0.1:$port" -ZZ \
      -D "$SVC_DN" -y "$dir/bind.password" -b "$SUFFIX" -s base dn >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# restart stops the slapd of DIR and starts it again on the same ports with
# the same data, as a server restart in production would (tests use it to
# check that clients reconnect).
restart() {
  [ -f "$dir/ports" ] || { log "no ports file in $dir: start it first"; exit 1; }
  local port sport
  read -r port sport <"$dir/ports"
  stop
  for _ in 1 2 3 4 5; do
    if run_slapd "$port" "$sport"; then
      log "restarted slapd $(cat "$dir/slapd.pid") on ports $port/$sport"
      return 0
    fi
    stop
    sleep 0.2
  done
  log "slapd would not restart; see $dir/slapd.log"; cat "$dir/slapd.log" >&2; exit 1
}

start() {
  [ -x "$SLAPD" ] || { log "$SLAPD not found (apt-get install slapd)"; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/slapd.pid" ] && kill -0 "$(cat "$dir/slapd.pid")" 2>/dev/null; then
    log "slapd already running in $dir; stop it first"; exit 1
  fi
  rm -rf "$dir/db" && mkdir -p "$dir/db"

  # TLS: a CA and a server certificate valid for 127.0.0.1 and localhost.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Ferry test CA" \
    -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/server-key.pem" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
    -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
  chmod 600 "$dir/server-key.pem" "$dir/ca-key.pem"

  local admin_pw svc_pw limited_pw
  admin_pw="admin-$(openssl rand -hex 8)"
  svc_pw="svc-$(openssl rand -hex 8)"
  limited_pw="limited-$(openssl rand -hex 8)"
  printf '%s' "$admin_pw" >"$dir/admin.password"
  printf '%s' "$svc_pw" >"$dir/bind.password"
  chmod 600 "$dir/admin.password" "$dir/bind.password"

  cat >"$dir/slapd.conf" <<EOF
# Generated by scripts/services-ldap.sh for Ferry's tests. Loopback only.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema

modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy

pidfile  $dir/slapd.pid
argsfile $dir/slapd.args

TLSCACertificateFile  $dir/ca.pem
TLSCertificateFile    $dir/server.pem
TLSCertificateKeyFile $dir/server-key.pem

# What slapd hashes a password-modify (ldappasswd) value with.
password-hash {SSHA}

database mdb
suffix   "$SUFFIX"
rootdn   "$ADMIN_DN"
rootpw   $(ssha "$admin_pw")
directory $dir/db
maxsize  67108864

overlay ppolicy
ppolicy_default "cn=default,ou=policies,$SUFFIX"

# A paged listing by the service account may return every entry; other
# identities keep the default size limit (500) for paged searches too.
limits dn.exact="$SVC_DN" size.prtotal=unlimited

# The service accounts may read everything, userPassword included (the
# compare_hash mode reads it); users may bind; nobody else sees anything.
access to attrs=userPassword
  by dn.exact="$SVC_DN" read
  by dn.exact="$LIMITED_DN" read
  by anonymous auth
  by * none
access to *
  by dn.exact="$SVC_DN" read
  by dn.exact="$LIMITED_DN" read
  by self read
  by * none
EOF

  cat >"$dir/seed.ldif" <<EOF
dn: $SUFFIX
objectClass: top
objectClass: dcObject
objectClass: organization
o: Ferry test directory
dc: ferry

dn: ou=services,$SUFFIX
objectClass: organizationalUnit
ou: services

dn: $SVC_DN
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: ferry-svc
userPassword: $(ssha "$svc_pw")

dn: $LIMITED_DN
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: ferry-svc-limited
userPassword: $(ssha "$limited_pw")

dn: ou=policies,$SUFFIX
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,$SUFFIX
objectClass: device
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdLockout: TRUE
pwdMaxFailure: 0

dn: cn=lockout,ou=policies,$SUFFIX
objectClass: device
objectClass: pwdPolicy
cn: lockout
pwdAttribute: userPassword
pwdLockout: TRUE
pwdMaxFailure: 3
pwdLockoutDuration: 300
pwdFailureCountInterval: 0

dn: ou=hashes,$SUFFIX
objectClass: organizationalUnit
ou: hashes

dn: uid=h-ssha,ou=hashes,$SUFFIX
objectClass: inetOrgPerson
uid: h-ssha
cn: SSHA user
sn: SSHA
mail: h-ssha@example.com
userPassword: $(hashpw '{SSHA}' 'ssha-Passw0rd')

dn: uid=h-smd5,ou=hashes,$SUFFIX
objectClass: inetOrgPerson
uid: h-smd5
cn: SMD5 user
sn: SMD5
mail: h-smd5@example.com
userPassword: $(hashpw '{SMD5}' 'smd5-Passw0rd')

dn: uid=h-crypt,ou=hashes,$SUFFIX
objectClass: inetOrgPerson
uid: h-crypt
cn: CRYPT user
sn: CRYPT
mail: h-crypt@example.com
userPassword: $(hashpw '{CRYPT}' 'crypt-Passw0rd')

dn: uid=h-clear,ou=hashes,$SUFFIX
objectClass: inetOrgPerson
uid: h-clear
cn: Cleartext user
sn: Clear
mail: h-clear@example.com
userPassword: $(hashpw '{CLEARTEXT}' 'clear-Passw0rd')

dn: uid=h-ldappasswd,ou=hashes,$SUFFIX
objectClass: inetOrgPerson
uid: h-ldappasswd
cn: ldappasswd user
sn: Passwd
mail: h-ldappasswd@example.com

dn: ou=people,$SUFFIX
objectClass: organizationalUnit
ou: people

dn: ou=groups,$SUFFIX
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: alice
cn: Alice Liddell
sn: Liddell
givenName: Alice
displayName: Alice Liddell
mail: alice@example.com
telephoneNumber: +15550100001
employeeNumber: 1001
userPassword: $(ssha 'alice-password')

dn: uid=bob,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: bob
cn: Bob Builder
sn: Builder
givenName: Bob
mail: bob@example.com
employeeNumber: 1002
userPassword: $(ssha 'bob-password')

dn: uid=carol,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: carol
cn: Carol Locked
sn: Locked
mail: carol@example.com
employeeNumber: 1003
userPassword: $(ssha 'carol-password')
pwdAccountLockedTime: 000001010000Z

dn: uid=dave,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: dave
cn: Dave One
sn: One
mail: shared@example.com
userPassword: $(ssha 'dave-password')

dn: uid=dave2,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: dave2
cn: Dave Two
sn: Two
mail: shared@example.com
userPassword: $(ssha 'dave2-password')

dn: cn=admins,ou=groups,$SUFFIX
objectClass: groupOfNames
cn: admins
member: uid=alice,ou=people,$SUFFIX

dn: cn=staff,ou=groups,$SUFFIX
objectClass: groupOfNames
cn: staff
member: uid=alice,ou=people,$SUFFIX
member: uid=bob,ou=people,$SUFFIX

dn: ou=many,$SUFFIX
objectClass: organizationalUnit
ou: many
EOF
  # Listing users: one hash for all (slappasswd costs a process each), so
  # that compare_hash samples have a value to classify.
  local many_hash i
  many_hash=$(ssha 'many-Passw0rd')
  for i in $(seq 1 "$MANY_COUNT"); do
    printf '\ndn: uid=m%04d,ou=many,%s\nobjectClass: inetOrgPerson\nuid: m%04d\ncn: Many %d\nsn: Many\nmail: m%04d@example.com\nuserPassword: %s\n' \
      "$i" "$SUFFIX" "$i" "$i" "$i" "$many_hash"
  done >>"$dir/seed.ldif"

  "${SLAPD%slapd}slapadd" -f "$dir/slapd.conf" -l "$dir/seed.ldif" -q 2>"$dir/slapadd.log" || {
    log "slapadd failed:"; cat "$dir/slapadd.log" >&2; exit 1; }

  local port sport started=""
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    sport=$(free_port)
    [ "$port" != "$sport" ] || continue
    if run_slapd "$port" "$sport"; then started=1; break; fi
    log "slapd did not come up on ports $port/$sport (attempt $attempt)"
    stop
  done
  [ -n "$started" ] || { log "slapd would not start; see $dir/slapd.log"; cat "$dir/slapd.log" >&2; exit 1; }
  echo "$port $sport" >"$dir/ports"
  # A password set over the wire: slapd hashes it itself (password-hash).
  LDAPTLS_CACERT="$dir/ca.pem" ldappasswd -x -H "ldap://127.0.0.1:$port" -ZZ -D "$ADMIN_DN" -y "$dir/admin.password" \
    -s 'ldappasswd-Passw0rd' "uid=h-ldappasswd,ou=hashes,$SUFFIX" >/dev/null || {
    log "ldappasswd failed"; stop; exit 1; }
  log "slapd $(cat "$dir/slapd.pid") on ldap://127.0.0.1:$port and ldaps://127.0.0.1:$sport ($dir)"

  cat <<EOF
export FERRY_TEST_LDAP_URL=ldap://127.0.0.1:$port
export FERRY_TEST_LDAPS_URL=ldaps://127.0.0.1:$sport
export FERRY_TEST_LDAP_CA=$dir/ca.pem
export FERRY_TEST_LDAP_BASE_DN=$SUFFIX
export FERRY_TEST_LDAP_BIND_DN=$SVC_DN
export FERRY_TEST_LDAP_BIND_PASSWORD=$svc_pw
export FERRY_TEST_LDAP_ADMIN_DN=$ADMIN_DN
export FERRY_TEST_LDAP_ADMIN_PASSWORD=$admin_pw
export FERRY_TEST_LDAP_PIDFILE=$dir/slapd.pid
export FERRY_TEST_LDAP_LOCKOUT_POLICY_DN=cn=lockout,ou=policies,$SUFFIX
export FERRY_TEST_LDAP_DEFAULT_POLICY_DN=cn=default,ou=policies,$SUFFIX
export FERRY_TEST_LDAP_HASHES_DN=ou=hashes,$SUFFIX
export FERRY_TEST_LDAP_MANY_DN=ou=many,$SUFFIX
export FERRY_TEST_LDAP_MANY_COUNT=$MANY_COUNT
export FERRY_TEST_LDAP_LIMITED_BIND_DN=$LIMITED_DN
export FERRY_TEST_LDAP_LIMITED_BIND_PASSWORD=$limited_pw
EOF
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  *) usage ;;
esac
