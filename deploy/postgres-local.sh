#!/usr/bin/env bash
# A private PostgreSQL 15 instance for tests and the local cluster: loopback only, data in a
# directory of its own, run as a non-root user (PostgreSQL refuses root).
#
#   deploy/postgres-local.sh start DIR [PORT]   initialise DIR (if new) and start; prints
#                                               PORT=…, PID=…, CONNECTION_STRING=… lines
#   deploy/postgres-local.sh stop DIR           stop the instance and delete DIR
#   deploy/postgres-local.sh pause DIR          stop the instance, keep DIR (fault tests)
#   deploy/postgres-local.sh resume DIR         start it again on the same port
#
# Installs postgresql-15 with apt-get when initdb is missing and we are root.
set -euo pipefail

command=${1:-}
dir=${2:-}
if [ -z "$command" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop|pause|resume DIR [PORT]" >&2
  exit 2
fi

find_bin() {
  for candidate in /usr/lib/postgresql/15/bin "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_installed() {
  if find_bin >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL 15 is not installed and we are not root: apt-get install postgresql-15" >&2
    exit 1
  fi
  echo "Installing postgresql-15 (apt-get)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql-15 >&2
}

# The user the server runs as: ourselves unless we are root, then the package's postgres user
# (or a dedicated system user when there is none).
run_user() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    id licensing-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin licensing-pg
    echo licensing-pg
  fi
}

as_user() {
  local user=$1
  shift
  if [ "$(id -un)" = "$user" ]; then
    "$@"
  else
    runuser -u "$user" -- "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
  local bin=$1 user=$2 port=$3
  as_user "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir/socket -c max_connections=200" start >/dev/null
}

print_info() {
  local port=$1
  echo "PORT=$port"
  echo "PID=$(head -1 "$dir/data/postmaster.pid")"
  echo "CONNECTION_STRING=Host=127.0.0.1;Port=$port;Database=licensing;Username=licensing;Password=$(cat "$dir/password")"
}

case "$command" in
  start)
    ensure_installed
    bin=$(find_bin)
    user=$(run_user)
    port=${3:-$(free_port)}
    mkdir -p "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir/socket"
      # The password lives only in this directory (mode 0600): loopback connections need it.
      (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir/password")
      chown -R "$user" "$dir"
      as_user "$user" "$bin/initdb" -D "$dir/data" -U licensing --auth=scram-sha-256 \
        --pwfile="$dir/password" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    echo "$port" > "$dir/port"
    start_server "$bin" "$user" "$port"
    PGPASSWORD=$(cat "$dir/password") psql -h 127.0.0.1 -p "$port" -U licensing -d postgres -tAq \
      -c "SELECT 1 FROM pg_database WHERE datname = 'licensing'" | grep -q 1 \
      || PGPASSWORD=$(cat "$dir/password") psql -h 127.0.0.1 -p "$port" -U licensing -d postgres -q -c "CREATE DATABASE licensing"
    print_info "$port"
    ;;
  pause)
    bin=$(find_bin)
    as_user "$(stat -c %U "$dir/data")" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    bin=$(find_bin)
    start_server "$bin" "$(stat -c %U "$dir/data")" "$(cat "$dir/port")"
    print_info "$(cat "$dir/port")"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      bin=$(find_bin)
      as_user "$(stat -c %U "$dir/data")" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop|pause|resume DIR [PORT]" >&2
    exit 2
    ;;
esac
