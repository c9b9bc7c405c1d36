# A throwaway PostgreSQL cluster for the tests, from Debian's `postgresql` package: sourced by
# scripts/test. `start_postgres` creates a cluster in a temporary directory, starts it on a free
# port of 127.0.0.1 (as the `postgres` user when run as root: PostgreSQL refuses to run as root)
# and exports FLASHBOARD_TEST_POSTGRES_URL; the cluster is stopped and deleted when the calling
# script exits. Nothing else on the machine is touched.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

# A free TCP port on 127.0.0.1 (Node is required anyway).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Runs a command as the cluster's owner.
as_pg_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    as_pg_owner "$(pg_bin)/pg_ctl" stop -D "$PG_DIR/data" -m immediate >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

start_postgres() {
  local bin port
  bin=$(pg_bin)
  [ -n "$bin" ] || { echo "postgres: Debian's postgresql is not installed (scripts/setup installs it)" >&2; return 1; }
  PG_DIR=$(mktemp -d /tmp/flashboard-pg.XXXXXX)
  trap stop_postgres EXIT
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_DIR"; fi
  as_pg_owner "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  port=$(free_port)
  # Durability off (a throwaway cluster), room for the tests' parallel apps.
  as_pg_owner "$bin/pg_ctl" start -D "$PG_DIR/data" -w -t 60 -l "$PG_DIR/server.log" \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  export FLASHBOARD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "postgres: a throwaway cluster on 127.0.0.1:$port ($("$bin/postgres" --version))"
}
