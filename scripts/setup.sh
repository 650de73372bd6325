#!/usr/bin/env bash
# 村务通 开发环境准备 (set up a development environment) on Debian/Ubuntu, also usable on macOS.
#
#   bash scripts/setup.sh          # 运行所需 (what the app needs to run)
#   bash scripts/setup.sh test     # 另加测试与检查工具 (plus test, lint and type-check tools)
#
# Safe to run again: system libraries are checked with dpkg first, an existing .venv is kept,
# and pip runs only when pyproject.toml, the package folders or the extras have changed.
# Environment: PYTHON=/path/to/python3.x picks the interpreter for a new .venv.
set -euo pipefail

say() { printf '==> %s\n' "$*"; }
die() {
  printf '错误 (error): %s\n' "$*" >&2
  exit 1
}

mode=plain
case "${1:-}" in
  "" | plain) mode="plain" ;;
  test | --test) mode="test" ;;
  -h | --help)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) die "不认识的参数：$1；只能是 plain 或 test (unknown argument: use plain or test)" ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV="$ROOT/.venv"

is_root() { [ "$(id -u)" = 0 ]; }

# --- 1. Qt's system libraries --------------------------------------------------------------------
# What the PySide6 wheels need from the system: OpenGL/EGL, fonts, GLib and D-Bus. A real window
# also needs the xcb platform plugin's libraries (ldd …/PySide6/Qt/plugins/platforms/libqxcb.so);
# the tests run offscreen and do without them, so a test set-up asks apt for nothing it can skip.
QT_SYSTEM_PACKAGES="libgl1 libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3"
QT_WINDOW_PACKAGES="libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xinerama0
  libxcb-xkb1 libxcb1 libx11-xcb1 libxkbcommon-x11-0"

deb_installed() {
  # Ubuntu 24.04 renamed some libraries with a t64 suffix (libglib2.0-0t64): either name counts.
  local p status
  for p in "$1" "${1}t64"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    case "$status" in ii*) return 0 ;; esac
  done
  return 1
}

system_libraries() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "不是 Debian/Ubuntu，跳过系统库检查 (no dpkg: skipping the system library check)"
    return 0
  fi
  local missing="" p wanted=$QT_SYSTEM_PACKAGES
  [ "$mode" = plain ] && wanted="$wanted $QT_WINDOW_PACKAGES"
  for p in $wanted; do
    deb_installed "$p" || missing="$missing $p"
  done
  missing=${missing# }
  if [ -z "$missing" ]; then
    say "Qt 所需系统库已齐全 (Qt system libraries present)"
    return 0
  fi
  if ! is_root; then
    printf '缺少 Qt 所需的系统库 (missing Qt system libraries): %s\n' "$missing" >&2
    printf '请先运行 (please run):\n  sudo apt-get update && sudo apt-get install -y %s\n' "$missing" >&2
    exit 1
  fi
  say "安装 Qt 所需系统库 (installing Qt system libraries): $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update 失败 (apt-get update failed)"
  # shellcheck disable=SC2086  # word splitting of the package list is intended
  apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
    die "apt-get 安装系统库失败 (apt-get could not install the system libraries)"
}

# The PDF tests cross-check fonts and text with poppler's pdffonts/pdftotext when they are present
# (the tests read PDFs with pypdf either way): installed for a test set-up run as root, else skipped.
PDF_TEST_PACKAGES="poppler-utils"

pdf_test_tools() {
  [ "$mode" = test ] || return 0
  command -v pdffonts >/dev/null 2>&1 && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "安装 PDF 检查工具 (installing PDF check tools): $PDF_TEST_PACKAGES"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PDF_TEST_PACKAGES >/dev/null ||
      { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PDF_TEST_PACKAGES >/dev/null; } ||
      say "未能安装 $PDF_TEST_PACKAGES，相关交叉检查将跳过 (could not install; those cross-checks will be skipped)"
  else
    say "没有 pdffonts；PDF 字体的交叉检查将跳过（可 sudo apt-get install $PDF_TEST_PACKAGES）(pdffonts absent: cross-check skipped)"
  fi
}

# --- 2. Python and .venv ---------------------------------------------------------------------------
py_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; }

find_python() {
  local c
  if [ -n "${PYTHON:-}" ]; then
    py_ok "$PYTHON" || die "PYTHON=$PYTHON 不是 3.11 或更新的 Python (is not Python 3.11 or newer)"
    echo "$PYTHON"
    return 0
  fi
  for c in python3 python3.13 python3.12 python3.11 python; do
    if command -v "$c" >/dev/null 2>&1 && py_ok "$c"; then
      command -v "$c"
      return 0
    fi
  done
  die "找不到 3.11 或更新的 Python；请安装 python3.11（含 venv）后再运行，或用 PYTHON=… 指定 (no Python >= 3.11 found; install one or set PYTHON=…)"
}

make_venv() {
  if [ -x "$VENV/bin/python" ] && py_ok "$VENV/bin/python"; then
    say "使用已有虚拟环境 (reusing .venv): $("$VENV/bin/python" -V 2>&1)"
    return 0
  fi
  if [ -e "$VENV" ]; then
    # Remove only what is clearly a virtual environment of ours to rebuild.
    if [ ! -f "$VENV/pyvenv.cfg" ] || [ ! -w "$VENV" ]; then
      die "$VENV 不能用，也不能自动重建；请检查或删除它后再运行 ($VENV is unusable and was left alone: check or remove it)"
    fi
    say "已有的 .venv 不可用或 Python 太旧，重新创建 (existing .venv is broken or too old: recreating)"
    rm -rf "$VENV"
  fi
  local py
  py=$(find_python)
  if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    local venv_pkg
    venv_pkg="python$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
    if is_root && command -v apt-get >/dev/null 2>&1; then
      say "安装 $venv_pkg (installing $venv_pkg)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$venv_pkg" >/dev/null ||
        die "apt-get 安装 $venv_pkg 失败 (could not install $venv_pkg)"
    else
      die "$py 缺少 venv 模块；请运行 sudo apt-get install $venv_pkg (the venv module is missing)"
    fi
  fi
  say "创建虚拟环境 (creating .venv) with $("$py" -V 2>&1)"
  "$py" -m venv "$VENV" || die "创建 .venv 失败 (could not create .venv)"
}

# --- 3. The project itself, editable --------------------------------------------------------------
# The stamp remembers what the last install saw; setuptools maps the top-level packages at install
# time, so a new package folder (db/, ui/, …) needs a fresh install too.
install_state() {
  {
    "$VENV/bin/python" -V 2>&1
    cat pyproject.toml
    for d in */__init__.py; do echo "package $d"; done
  } | "$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
}

install_project() {
  local stamp="$VENV/.village-desk-installed" state
  state=$(install_state)
  if [ -f "$stamp" ] && "$VENV/bin/python" -c 'import village_desk' >/dev/null 2>&1; then
    # A test install also serves a plain run.
    if grep -qx "$state test" "$stamp" || { [ "$mode" = plain ] && grep -qx "$state plain" "$stamp"; }; then
      say "依赖已是最新 (dependencies up to date)"
      return 0
    fi
  fi
  say "升级 pip (upgrading pip)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip ||
    die "升级 pip 失败 (could not upgrade pip)"
  local target="."
  [ "$mode" = test ] && target=".[test]"
  say "安装村务通及其依赖 (installing village-desk): pip install -e '$target'"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$target" ||
    die "pip 安装失败，见上方信息 (pip install failed, see above)"
  echo "$state $mode" >"$stamp"
}

say "村务通环境准备 (setting up village-desk, mode: $mode)"
system_libraries
pdf_test_tools
make_venv
install_project
say "环境就绪 (ready): $VENV"
