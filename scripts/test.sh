#!/usr/bin/env bash
# 准备环境并运行全部检查与测试 (set up, then run every check and test), as CI does:
#   ruff check · ruff format --check · mypy · lint-imports · pytest (SQLite)
#   · pytest -m storage against a throw-away PostgreSQL server on 127.0.0.1
# Every step runs even when an earlier one failed; the summary at the end says which failed,
# and the exit status is non-zero if any did.
set -uo pipefail # no -e: a failing step is recorded, not fatal

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
VENV="$ROOT/.venv"

bash scripts/setup.sh test || {
  echo "错误 (error): 环境准备失败，未运行任何检查 (set-up failed; nothing was checked)" >&2
  exit 1
}

export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1

is_root() { [ "$(id -u)" = 0 ]; }

summary=""
failures=0
record() { # record NAME STATUS
  if [ "$2" = 0 ]; then
    summary="$summary  通过 (ok)    $1"$'\n'
  else
    summary="$summary  失败 (FAIL)  $1  [exit $2]"$'\n'
    failures=$((failures + 1))
  fi
}

step() { # step NAME COMMAND…
  local name=$1 rc
  shift
  printf '\n==> %s\n' "$name"
  "$@"
  rc=$?
  record "$name" "$rc"
  return 0
}

run_pytest() { # run_pytest COMMAND…: pytest's exit 5 (no test collected) is a failure here, said plainly.
  local rc
  "$@"
  rc=$?
  if [ "$rc" = 5 ]; then
    echo "错误 (error): 没有收集到任何测试 (pytest collected no tests)" >&2
  fi
  return "$rc"
}

# --- lint, types, import contracts, tests on SQLite ----------------------------------------------
step "ruff check (代码检查 lint)" "$VENV/bin/ruff" check .
step "ruff format --check (格式 format)" "$VENV/bin/ruff" format --check .
step "mypy (类型检查 type checks)" "$VENV/bin/mypy"
step "lint-imports (分层约定 import contracts)" "$VENV/bin/lint-imports"
step "pytest (全部测试，SQLite; whole suite on SQLite)" \
  run_pytest env -u VILLAGE_DESK_TEST_PG_URL "$VENV/bin/pytest"

# --- storage tests against a throw-away PostgreSQL server ----------------------------------------
PGTMP=""
PGBIN=""

as_pg() { # PostgreSQL refuses to run as root: use the postgres system user then.
  if is_root; then
    (cd "$PGTMP" && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

stop_postgres() {
  [ -n "$PGTMP" ] || return 0
  if [ -f "$PGTMP/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
      kill -9 "$(head -n 1 "$PGTMP/data/postmaster.pid")" 2>/dev/null
  fi
  rm -rf "$PGTMP"
  PGTMP=""
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

find_pg_bin() {
  local initdb d
  if initdb=$(command -v initdb 2>/dev/null); then
    d=$(dirname "$("$VENV/bin/python" -c 'import os, sys; print(os.path.realpath(sys.argv[1]))' "$initdb")")
    [ -x "$d/pg_ctl" ] && {
      echo "$d"
      return 0
    }
  fi
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && {
      echo "$d"
      return 0
    }
  done
  return 1
}

ensure_pg_bin() {
  PGBIN=$(find_pg_bin) && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    echo "==> 未找到 PostgreSQL，用 apt-get 安装 (no PostgreSQL server found: installing postgresql)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null &&
      PGBIN=$(find_pg_bin) && return 0
  fi
  echo "错误 (error): 找不到 PostgreSQL 服务器程序 initdb/pg_ctl；请安装 postgresql（如 sudo apt-get install postgresql）(no PostgreSQL server binaries found)" >&2
  return 1
}

free_port() { # the first free port from 55433 on; never the default 5432
  "$VENV/bin/python" - <<'PY'
import socket

for port in range(55433, 55533):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    raise SystemExit("no free port in 55433-55532")
PY
}

start_postgres() {
  ensure_pg_bin || return 1
  if is_root && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres || return 1
  fi
  PGTMP=$(mktemp -d /tmp/village-desk-pg.XXXXXX) || return 1
  is_root && chown postgres: "$PGTMP"
  PGPORT=$(free_port) || return 1
  if ! as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$PGTMP/initdb.log" 2>&1; then
    cat "$PGTMP/initdb.log" >&2
    return 1
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 -o \
    "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null; then
    cat "$PGTMP/server.log" >&2
    return 1
  fi
  echo "PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}') 已启动 (started) on 127.0.0.1:$PGPORT, data in $PGTMP"
}

printf '\n==> 启动临时 PostgreSQL 服务器 (starting a throw-away PostgreSQL server)\n'
if start_postgres; then
  step "pytest -m storage (PostgreSQL)" run_pytest env \
    VILLAGE_DESK_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres" \
    "$VENV/bin/pytest" -m storage
else
  echo "错误 (error): PostgreSQL 启动失败 (could not start PostgreSQL)" >&2
  record "pytest -m storage (PostgreSQL 未能启动 could not start)" 1
fi
stop_postgres
printf '==> PostgreSQL 已停止并清理 (stopped and removed)\n'

# --- summary -------------------------------------------------------------------------------------
printf '\n==> 结果 (summary)\n%s' "$summary"
if [ "$failures" -gt 0 ]; then
  printf '==> %d 项失败 (%d step(s) failed)\n' "$failures" "$failures"
  exit 1
fi
printf '==> 全部通过 (all passed)\n'
