#!/usr/bin/env bash
# A production-shaped cluster on this machine: a private PostgreSQL, 3 silo processes and
# 2 gateway processes, all on loopback.
#
#   deploy/local-cluster.sh up       start everything, wait for every /readyz, print the gateway URLs
#   deploy/local-cluster.sh status   which processes run and whether they are ready
#   deploy/local-cluster.sh down     stop everything it started and delete its data
#                                    (KEEP_LOGS=dir copies the processes' logs there first)
#
# State (keys, logs, the env file with GATEWAY_URLS, VENDOR_API_KEY, SILO_PIDS, GATEWAY_PIDS,
# POSTGRES_PID) lives in deploy/.local-cluster/ (git-ignored); the database in a temporary
# directory. Ports: gateways GATEWAY_BASE_PORT (5090, 5091), silos' health 5190.., silo-to-silo
# 11211.., client 30100.. Binaries from CONFIGURATION (Debug), built when missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/deploy/.local-cluster"
env_file="$state/env"
configuration=${CONFIGURATION:-Debug}
silos=${SILOS:-3}
gateways=${GATEWAYS:-2}
gateway_base=${GATEWAY_BASE_PORT:-5090}
health_base=${SILO_HEALTH_BASE_PORT:-5190}
silo_base=${SILO_BASE_PORT:-11211}
client_base=${SILO_CLIENT_BASE_PORT:-30100}
cluster_id=local-cluster

silo_dll="$root/Silo/bin/$configuration/net10.0/OrleansLicensing.Silo.dll"
gateway_dll="$root/Gateway/bin/$configuration/net10.0/OrleansLicensing.Gateway.dll"

random_key() { head -c 32 /dev/urandom | base64 | tr -d '/+=' ; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

wait_ready() {
  local url=$1 deadline=$((SECONDS + 120))
  until curl -fs -o /dev/null "$url/readyz"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "$url/readyz did not turn green within 120 s (logs: $state/logs)" >&2
      return 1
    fi
    sleep 0.5
  done
}

# Five .NET processes share this machine's cores: idle thread-pool workers must not spin for
# work (D89). Set it to another value in the environment to compare.
export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=${DOTNET_ThreadPool_UnfairSemaphoreSpinLimit:-0}

start_process() {
  # setsid: the process outlives this script and gets no terminal signals.
  local log=$1
  shift
  setsid nohup dotnet "$@" >"$log" 2>&1 < /dev/null &
  echo $!
}

up() {
  if [ -f "$env_file" ]; then
    # shellcheck disable=SC1090
    . "$env_file"
    if alive "${POSTGRES_PID:-}"; then
      echo "Already up (deploy/local-cluster.sh status; down to stop)."
      return 0
    fi
    echo "Stale state from an earlier run: cleaning up first." >&2
    down
  fi

  if [ ! -f "$silo_dll" ] || [ ! -f "$gateway_dll" ]; then
    echo "Building the silo and gateway ($configuration)…"
    dotnet build "$root/Silo/OrleansLicensing.Silo.csproj" -c "$configuration" -v q -nologo >/dev/null
    dotnet build "$root/Gateway/OrleansLicensing.Gateway.csproj" -c "$configuration" -v q -nologo >/dev/null
  fi

  mkdir -p "$state/logs"
  chmod 700 "$state"
  local pg_dir
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/licensing-cluster-pg.XXXXXX")
  echo "PG_DIR=$pg_dir" > "$env_file"
  local pg_info
  pg_info=$("$root/deploy/postgres-local.sh" start "$pg_dir")
  local postgres_pid connection
  postgres_pid=$(sed -n 's/^PID=//p' <<<"$pg_info")
  connection=$(sed -n 's/^CONNECTION_STRING=//p' <<<"$pg_info")
  # CONNECTION_OPTIONS: further Npgsql keywords for every process (e.g. "Timeout=5").
  connection="$connection${CONNECTION_OPTIONS:+;$CONNECTION_OPTIONS}"
  echo "POSTGRES_PID=$postgres_pid" >> "$env_file"

  # Secrets as files only this user reads; the processes get paths, not values, where they can.
  (umask 077
   echo "$connection" > "$state/connection-string"
   openssl ecparam -genkey -name prime256v1 -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt > "$state/license-signing-key.pem")
  local vendor_key token_key device_key
  # VENDOR_API_KEY from the environment: a benchmark or script that wants a known key.
  vendor_key=${VENDOR_API_KEY:-$(random_key)}; token_key=$(random_key); device_key=$(random_key)

  dotnet "$silo_dll" migrate --Storage:Provider=PostgreSql "--Storage:ConnectionStringFile=$state/connection-string"

  local silo_pids=() gateway_pids=() urls=() i
  for ((i = 0; i < silos; i++)); do
    silo_pids+=("$(start_process "$state/logs/silo-$i.log" "$silo_dll" \
      "--urls=http://127.0.0.1:$((health_base + i))" \
      --Gateway:CoHosted=false \
      --Storage:Provider=PostgreSql "--Storage:ConnectionStringFile=$state/connection-string" \
      "--Orleans:ClusterId=$cluster_id" --Orleans:AdvertisedAddress=127.0.0.1 \
      "--Orleans:SiloPort=$((silo_base + i))" "--Orleans:GatewayPort=$((client_base + i))" \
      "--Licensing:DeviceSecretKey=$device_key" "--Licensing:SigningKeyPath=$state/license-signing-key.pem")")
  done
  echo "SILO_PIDS=$(IFS=,; echo "${silo_pids[*]}")" >> "$env_file"

  for ((i = 0; i < silos; i++)); do
    wait_ready "http://127.0.0.1:$((health_base + i))"
  done

  for ((i = 0; i < gateways; i++)); do
    urls+=("http://127.0.0.1:$((gateway_base + i))")
    gateway_pids+=("$(start_process "$state/logs/gateway-$i.log" "$gateway_dll" \
      "--urls=${urls[$i]}" \
      "--Orleans:ClusterId=$cluster_id" "--Orleans:ConnectionStringFile=$state/connection-string" \
      "--Licensing:VendorApiKey=$vendor_key" "--Licensing:TokenSigningKey=$token_key")")
  done
  {
    echo "GATEWAY_PIDS=$(IFS=,; echo "${gateway_pids[*]}")"
    echo "GATEWAY_URLS=$(IFS=,; echo "${urls[*]}")"
    echo "VENDOR_API_KEY=$vendor_key"
    echo "SILO_HEALTH_URLS=$(for ((i = 0; i < silos; i++)); do printf '%shttp://127.0.0.1:%d' "$([ $i -gt 0 ] && echo ,)" $((health_base + i)); done)"
  } >> "$env_file"

  for url in "${urls[@]}"; do
    wait_ready "$url"
  done

  echo "Cluster up: $silos silos, $gateways gateways on PostgreSQL."
  echo "Gateways: ${urls[*]}"
  echo "Vendor key and process ids: $env_file"
}

status() {
  if [ ! -f "$env_file" ]; then
    echo "Not running."
    return 0
  fi
  # shellcheck disable=SC1090
  . "$env_file"
  local pid url code
  printf 'postgres  pid %-8s %s\n' "${POSTGRES_PID:-}" "$(alive "${POSTGRES_PID:-}" && echo running || echo stopped)"
  IFS=, read -ra pids <<<"${SILO_PIDS:-}"
  IFS=, read -ra health <<<"${SILO_HEALTH_URLS:-}"
  for i in "${!pids[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "${health[$i]:-}/readyz" || true)
    printf 'silo %d    pid %-8s %s  %s/readyz %s\n' "$i" "${pids[$i]}" "$(alive "${pids[$i]}" && echo running || echo stopped)" "${health[$i]:-}" "$code"
  done
  IFS=, read -ra pids <<<"${GATEWAY_PIDS:-}"
  IFS=, read -ra urls <<<"${GATEWAY_URLS:-}"
  for i in "${!pids[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "${urls[$i]}/readyz" || true)
    printf 'gateway %d pid %-8s %s  %s/readyz %s\n' "$i" "${pids[$i]}" "$(alive "${pids[$i]}" && echo running || echo stopped)" "${urls[$i]}" "$code"
  done
}

stop_pids() {
  local pid pids=()
  IFS=, read -ra pids <<<"${1:-}"
  for pid in "${pids[@]}"; do
    alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
  done
  local deadline=$((SECONDS + 20))
  for pid in "${pids[@]}"; do
    while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  done
}

down() {
  if [ ! -f "$env_file" ]; then
    echo "Not running."
    rm -rf "$state"
    return 0
  fi
  # shellcheck disable=SC1090
  . "$env_file"
  stop_pids "${GATEWAY_PIDS:-}"
  stop_pids "${SILO_PIDS:-}"
  if [ -n "${PG_DIR:-}" ]; then
    "$root/deploy/postgres-local.sh" stop "$PG_DIR"
  fi
  if [ -n "${KEEP_LOGS:-}" ] && [ -d "$state/logs" ]; then
    mkdir -p "$KEEP_LOGS" && cp -r "$state/logs/." "$KEEP_LOGS/"
    echo "Logs kept in $KEEP_LOGS."
  fi
  rm -rf "$state"
  echo "Cluster down; its processes stopped and its data deleted."
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
