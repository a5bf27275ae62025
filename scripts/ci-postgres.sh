#!/usr/bin/env bash
# Sourced by .ci/run: makes sure a PostgreSQL answers on 127.0.0.1:5432 and exports DATABASE_URL,
# so the central server's integration tests run against a real PostgreSQL as well as PGlite.
# Uses a server already listening there; otherwise installs Debian's postgresql if no binaries are
# found, and starts a cluster in .ci/pgdata as the `postgres` user (PostgreSQL refuses root).

pg_bin() {
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  # Debian's package keeps the server binaries off PATH.
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$found" ]] && echo "$found"
}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  bin=$(pg_bin)
  if [[ -z "$bin" ]]; then
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin)
  fi
  [[ -n "$bin" ]] || { echo "ci-postgres: no PostgreSQL binaries after install" >&2; exit 1; }
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  pgdata="$PWD/.ci/pgdata"
  if [[ ! -f "$pgdata/PG_VERSION" ]]; then
    mkdir -p "$pgdata"
    chown postgres: "$pgdata"
    runuser -u postgres -- "$bin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  chown -R postgres: "$pgdata"
  runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
    -o "-p 5432 -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
fi
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
echo "ci-postgres: PostgreSQL ready at ${DATABASE_URL}" >&2
