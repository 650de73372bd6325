#!/usr/bin/env bash
# 准备环境并打开演示村“小大歹村” (set up, then start 村务通 on the demo village).
# Extra arguments go to the app, e.g.: bash scripts/run-demo.sh --data-dir /tmp/demo
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

bash scripts/setup.sh plain

if [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]; then
  echo "提示 (note): 没有找到图形界面（DISPLAY 未设置），窗口可能打不开；无屏幕的机器可用 xvfb-run bash scripts/run-demo.sh" >&2
fi

echo "==> 启动村务通演示村 (starting 村务通 on the demo village 小大歹村)"
exec "$ROOT/.venv/bin/village-desk" --demo "$@"
