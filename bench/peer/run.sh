#!/usr/bin/env bash
# Peer comparison, in ONE run on this machine: Ferry's local pool
# (ferry serve --ephemeral) against cognito-local (the version pinned in
# test/clients/node), both driven by the same load generator (loadgen/,
# copied from the peer measurement) over loopback.
#
#   1. sign-in: InitiateAuth USER_PASSWORD_AUTH of existing users, concurrency C, on both servers
#      (target: Ferry >= 10x cognito-local's throughput);
#   2. migration: first sign-ins through Ferry's in-process trigger, verifying bcrypt-10 legacy
#      hashes from a SQLite legacy database (target: >= 90% of the hash-bound ceiling, cores /
#      single bcrypt-10 verify time, measured by legacygen right before and right after that
#      phase in this same run, so both see the same machine load).
#
# Every load phase stops at N requests or T, whichever comes first. The script stops only the
# processes it started, by their PIDs, and removes its temporary directory.
#
# Usage: bench/peer/run.sh            (env: USERS=1000 C=8 SIGNIN_N=4000 MIGRATE_N=3000 T=30s
#                                     ROUNDS=1 ROUND_T=$T)
# ROUNDS > 1 splits the sign-in phase into interleaved rounds (cognito-local, ferry, cognito-local,
# ferry, …) of SIGNIN_N/ROUNDS requests or ROUND_T each, so that both servers sample the same
# stretches of machine load; the summary adds the rounds up and lists each one.
# Prints one JSON line per phase and a summary line; needs go, node (npm ci in
# test/clients/node) and the aws CLI (pool and client creation).
set -euo pipefail
cd "$(dirname "$0")/../.."

USERS=${USERS:-1000}
C=${C:-8}
SIGNIN_N=${SIGNIN_N:-4000}
MIGRATE_N=${MIGRATE_N:-3000}
T=${T:-30s}
ROUNDS=${ROUNDS:-1}
ROUND_T=${ROUND_T:-$T}
CL_START=test/clients/node/node_modules/cognito-local/lib/bin/start.js
[ -f "$CL_START" ] || { echo "run.sh: $CL_START missing: run scripts/deps.sh (npm ci in test/clients/node)" >&2; exit 1; }
command -v aws >/dev/null || { echo "run.sh: the aws CLI is needed to create pools" >&2; exit 1; }

work=$(mktemp -d /tmp/ferry-peer.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    for f in "$work"/ferry.err "$work"/cl.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
  rm -rf "$work"
}
trap cleanup EXIT

export AWS_ACCESS_KEY_ID=AKIDLOCAL AWS_SECRET_ACCESS_KEY=local-secret AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
unset AWS_PROFILE AWS_ENDPOINT_URL || true

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # wait_http URL PID: until URL answers, the process dies, or 60 s pass
  for _ in $(seq 1 600); do
    curl -s -o /dev/null -m 1 "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "run.sh: process $2 died" >&2; return 1; }
    sleep 0.1
  done
  echo "run.sh: $1 did not answer in 60 s" >&2; return 1
}
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
# load1: the 1-minute load average, recorded with every load phase: the servers and the load
# generator share the machine's cores with whatever else runs on it.
load1() { awk '{print $1}' /proc/loadavg; }
# cpu_ms PID: user+system CPU time the process has used, in ms (fields 14 and 15 of /proc/PID/stat)
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz)}' "/proc/$1/stat"; }
# children_cpu FILE: save bash's `times` (line 2: user and system CPU of this script's finished
# children) to FILE. It must run in the script's own shell, not in $(...) or a pipe, which fork.
# The load generator runs in the foreground, so the difference around a phase is its CPU.
children_cpu() { times >"$1"; }
# cpu_ms_of FILE: the children's user+system CPU time saved in FILE, in ms
cpu_ms_of() { awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60000 + a[2] * 1000 }; print int(t) }' "$1"; }
# make_pool ENDPOINT [extra create-user-pool args...] -> "POOL CLIENT"
make_pool() {
  local ep=$1; shift
  local pool client
  pool=$(aws cognito-idp create-user-pool --endpoint-url "$ep" --pool-name bench "$@" --query UserPool.Id --output text)
  client=$(aws cognito-idp create-user-pool-client --endpoint-url "$ep" --user-pool-id "$pool" --client-name bench \
    --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH --query UserPoolClient.ClientId --output text)
  echo "$pool $client"
}
tag() { # tag JSON key=value... : add fields to loadgen's JSON line
  local line=$1; shift
  local extra=""
  for kv in "$@"; do extra+=",\"${kv%%=*}\":${kv#*=}"; done
  echo "${line%\}}${extra}}"
}

echo "== build" >&2
go build -o "$work/ferry" ./cmd/ferry
go build -o "$work/loadgen" ./bench/peer/loadgen
go build -o "$work/legacygen" ./bench/peer/legacygen

echo "== legacy database" >&2
tag "$("$work/legacygen" -db "$work/legacy.db" -n "$MIGRATE_N" -cost 10 -samples 5)" phase='"legacy-db"'

cat > "$work/ferry.yaml" <<YAML
sources:
  - name: legacy
    type: sql
    config:
      driver: sqlite
      dsn: file:$work/legacy.db?mode=ro
      lookup: email
      fold: lower
      pool: {max_open: 16, max_idle: 16}
      query:
        by_email: SELECT id, username, email, email_verified, password_hash FROM users WHERE email = \$1
        sample: SELECT password_hash FROM users LIMIT 1
      columns:
        id: id
        username: username
        email: email
        email_verified: email_verified
        password_hash: password_hash
YAML

echo "== ferry serve --ephemeral" >&2
fport=$(free_port)
"$work/ferry" serve --ephemeral --addr "127.0.0.1:$fport" --config "$work/ferry.yaml" --log-level warn \
  >"$work/ferry.out" 2>"$work/ferry.err" &
fpid=$!; pids+=("$fpid")
t0=$(date +%s%N); wait_http "http://127.0.0.1:$fport/health" "$fpid"; t1=$(date +%s%N)
fstart_ms=$(( (t1 - t0) / 1000000 )); frss0=$(rss_kb "$fpid")
fep="http://127.0.0.1:$fport"
read -r fpool fclient < <(make_pool "$fep" \
  --lambda-config "UserMigration=arn:aws:lambda:us-east-1:000000000000:function:ferry-migrate")

echo "== cognito-local" >&2
cport=$(free_port)
mkdir -p "$work/cl/.cognito"
echo '{}' > "$work/cl/.cognito/config.json"
(cd "$work/cl" && HOST=127.0.0.1 PORT=$cport exec node "$OLDPWD/$CL_START" >"$work/cl.log" 2>&1) &
cpid=$!; pids+=("$cpid")
t0=$(date +%s%N); wait_http "http://127.0.0.1:$cport/health" "$cpid"; t1=$(date +%s%N)
cstart_ms=$(( (t1 - t0) / 1000000 )); crss0=$(rss_kb "$cpid")
cep="http://127.0.0.1:$cport"
read -r cpool cclient < <(make_pool "$cep")   # cognito-local's default: email is the username

echo "== seed $USERS users on each (AdminCreateUser + AdminSetUserPassword, c=1)" >&2
"$work/loadgen" -ep "$fep" -op create -pool "$fpool" -client "$fclient" -c 1 -n "$USERS" -t 300s >"$work/seed-ferry.json"
"$work/loadgen" -ep "$cep" -op create -pool "$cpool" -client "$cclient" -c 1 -n "$USERS" -t 300s >"$work/seed-cl.json"
tag "$(cat "$work/seed-ferry.json")" server='"ferry"' phase='"seed"'
tag "$(cat "$work/seed-cl.json")" server='"cognito-local"' phase='"seed"'

echo "== sign-in, c=$C: $ROUNDS round(s), cognito-local then ferry in each" >&2
# signin_phase SERVER PID EP POOL CLIENT STARTUP_MS RSS0_KB ROUND N: one bounded sign-in phase on one
# server; sets $phase_out to loadgen's JSON line with the server's CPU, the driver's CPU and the
# load average added. Called directly (not in $(...)) so that children_cpu sees the driver.
signin_phase() {
  local cpu0 cpu1 la0 out
  cpu0=$(cpu_ms "$2"); la0=$(load1); children_cpu "$work/times0"
  out=$("$work/loadgen" -ep "$3" -op signin -pool "$4" -client "$5" -users "$USERS" -c "$C" -n "$9" -t "$ROUND_T")
  cpu1=$(cpu_ms "$2"); children_cpu "$work/times1"
  phase_out=$(tag "$out" server="\"$1\"" phase='"signin"' round="$8" startup_ms="$6" rss_start_kb="$7" \
    rss_end_kb="$(rss_kb "$2")" server_cpu_ms="$((cpu1 - cpu0))" load1_start="$la0" load1_end="$(load1)" \
    loadgen_cpu_ms="$(( $(cpu_ms_of "$work/times1") - $(cpu_ms_of "$work/times0") ))")
}
round_n=$(( (SIGNIN_N + ROUNDS - 1) / ROUNDS ))
cl_signin="" f_signin=""
for r in $(seq 1 "$ROUNDS"); do
  signin_phase cognito-local "$cpid" "$cep" "$cpool" "$cclient" "$cstart_ms" "$crss0" "$r" "$round_n"
  echo "$phase_out"; cl_signin+="${cl_signin:+,}$phase_out"
  signin_phase ferry "$fpid" "$fep" "$fpool" "$fclient" "$fstart_ms" "$frss0" "$r" "$round_n"
  echo "$phase_out"; f_signin+="${f_signin:+,}$phase_out"
done
cl_signin="[$cl_signin]" f_signin="[$f_signin]"

echo "== migrating sign-ins through Ferry (bcrypt-10), c=$C, between two ceiling measurements" >&2
ceil_before=$("$work/legacygen" -db "" -cost 10 -samples 21)
tag "$ceil_before" phase='"ceiling-before-migrate"'
cpu0=$(cpu_ms "$fpid")
f_migrate=$("$work/loadgen" -ep "$fep" -op migrate -pool "$fpool" -client "$fclient" -c "$C" -n "$MIGRATE_N" -t "$T" -start 0)
cpu1=$(cpu_ms "$fpid")
f_migrate=$(tag "$f_migrate" server='"ferry"' phase='"migrate"' rss_end_kb="$(rss_kb "$fpid")" ferry_cpu_ms="$((cpu1 - cpu0))")
echo "$f_migrate"
ceil_after=$("$work/legacygen" -db "" -cost 10 -samples 21)
tag "$ceil_after" phase='"ceiling-after-migrate"'

python3 - "$cl_signin" "$f_signin" "$f_migrate" "$ceil_before" "$ceil_after" <<'PY'
import json, sys
cls, fs, m, c0, c1 = (json.loads(a) for a in sys.argv[1:6])
# The sign-in rounds of each server, added up: ops over the time spent in them.
def total(rounds):
    t = {k: sum(r[k] for r in rounds) for k in ("ops", "errors", "elapsed_s", "server_cpu_ms", "loadgen_cpu_ms")}
    t["ops_per_s"] = t["ops"] / t["elapsed_s"] if t["elapsed_s"] else 0.0
    return t
cl, f = total(cls), total(fs)
ratio = f["ops_per_s"] / cl["ops_per_s"] if cl["ops_per_s"] else float("inf")
# The ceiling: cores / single bcrypt-10 verify time, the time being the mean of the
# medians measured right before and right after the migration phase.
verify_ms = (c0["verify_ms_p50"] + c1["verify_ms_p50"]) / 2
c = {"ceiling_ops_per_s": c0["cores"] / (verify_ms / 1000)}
frac = m["ops_per_s"] / c["ceiling_ops_per_s"]
# Load-insensitive view of the sign-in target: server CPU per sign-in on each side.
cl_cpu = cl["server_cpu_ms"] / cl["ops"] if cl["ops"] else float("inf")
f_cpu = f["server_cpu_ms"] / f["ops"] if f["ops"] else float("inf")
f_lg = f["loadgen_cpu_ms"] / f["ops"] if f["ops"] else float("inf")
cl_lg = cl["loadgen_cpu_ms"] / cl["ops"] if cl["ops"] else float("inf")
# Load-insensitive view of the same target: CPU spent by ferry per migrating sign-in against the
# CPU of one bcrypt-10 verify. At full utilisation this ratio is throughput / ceiling.
cpu_per_migration = m["ferry_cpu_ms"] / m["ops"] if m["ops"] else float("inf")
verify_cpu = (c0["verify_cpu_ms"] + c1["verify_cpu_ms"]) / 2
cpu_frac = verify_cpu / cpu_per_migration
print(json.dumps({"summary": True,
  "signin_ops_per_s": {"ferry": round(f["ops_per_s"], 1), "cognito_local": round(cl["ops_per_s"], 1)},
  "signin_ratio": round(ratio, 1), "signin_target_10x_met": ratio >= 10,
  "signin_cpu_ms_per_op": {"ferry": round(f_cpu, 2), "cognito_local": round(cl_cpu, 2)},
  "signin_cpu_ratio": round(cl_cpu / f_cpu, 1),
  "signin_loadgen_cpu_ms_per_op": {"ferry": round(f_lg, 2), "cognito_local": round(cl_lg, 2)},
  "signin_rounds": [{"round": a["round"], "ratio": round(b["ops_per_s"] / a["ops_per_s"], 1) if a["ops_per_s"] else None,
    "ops_per_s": {"ferry": round(b["ops_per_s"], 1), "cognito_local": round(a["ops_per_s"], 1)},
    "p50_ms": {"ferry": b["p50_ms"], "cognito_local": a["p50_ms"]}, "p99_ms": {"ferry": b["p99_ms"], "cognito_local": a["p99_ms"]},
    "load1": {"ferry": [b["load1_start"], b["load1_end"]], "cognito_local": [a["load1_start"], a["load1_end"]]}}
    for a, b in zip(cls, fs)],
  "migrate_ops_per_s": round(m["ops_per_s"], 1), "bcrypt10_verify_ms": round(verify_ms, 1),
  "ceiling_ops_per_s": round(c["ceiling_ops_per_s"], 1),
  "migrate_fraction_of_ceiling": round(frac, 3), "migrate_target_90pct_met": frac >= 0.9,
  "ferry_cpu_ms_per_migration": round(cpu_per_migration, 1), "bcrypt10_verify_cpu_ms": round(verify_cpu, 1),
  "migrate_cpu_fraction": round(cpu_frac, 3),
  "errors": {"cl_signin": cl["errors"], "ferry_signin": f["errors"], "ferry_migrate": m["errors"]}}))
PY
