<#
.SYNOPSIS
  准备环境并运行全部检查与测试 (set up, then run every check and test) on Windows.
.DESCRIPTION
  ruff check, ruff format --check, mypy, lint-imports, pytest (SQLite), then pytest -m storage
  against PostgreSQL when $env:VILLAGE_DESK_TEST_PG_URL points at a server we may create
  databases on (e.g. postgresql+psycopg://postgres:secret@127.0.0.1:5432/postgres); without it
  that step is skipped with a message. Unlike scripts/test.sh, this script starts no server.
  Every step runs; the summary says which failed; the exit code is 1 if any did.
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File scripts\test.ps1
#>
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Bin = Join-Path $Root '.venv\Scripts'

& (Join-Path $PSScriptRoot 'setup.ps1') -Test
if ($LASTEXITCODE -ne 0) {
    Write-Host '错误 (error): 环境准备失败，未运行任何检查 (set-up failed; nothing was checked)' -ForegroundColor Red
    exit 1
}

$env:QT_QPA_PLATFORM = 'offscreen'
$env:PYTHONUTF8 = '1'
$env:PYTHONDONTWRITEBYTECODE = '1'

$script:Summary = New-Object System.Collections.Generic.List[string]
$script:Failures = 0

function Add-Result([string]$Name, [int]$Code) {
    if ($Code -eq 0) {
        $script:Summary.Add("  通过 (ok)    $Name")
    } else {
        $script:Summary.Add("  失败 (FAIL)  $Name  [exit $Code]")
        $script:Failures++
    }
}

# Runs one tool from .venv\Scripts; pytest's exit 5 (no test collected) is a failure, said plainly.
function Invoke-Step([string]$Name, [string]$Tool, [string[]]$Arguments) {
    Write-Host ''
    Write-Host "==> $Name"
    $saved = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        & (Join-Path $Bin "$Tool.exe") @Arguments
        $code = $LASTEXITCODE
    } catch {
        Write-Host $_ -ForegroundColor Red
        $code = 1
    } finally {
        $ErrorActionPreference = $saved
    }
    if ($Tool -eq 'pytest' -and $code -eq 5) {
        Write-Host '错误 (error): 没有收集到任何测试 (pytest collected no tests)' -ForegroundColor Red
    }
    Add-Result $Name $code
}

Invoke-Step 'ruff check (代码检查 lint)' 'ruff' @('check', '.')
Invoke-Step 'ruff format --check (格式 format)' 'ruff' @('format', '--check', '.')
Invoke-Step 'mypy (类型检查 type checks)' 'mypy' @()
Invoke-Step 'lint-imports (分层约定 import contracts)' 'lint-imports' @()

# The whole suite on SQLite: the PostgreSQL address is hidden from this run.
$PgUrl = $env:VILLAGE_DESK_TEST_PG_URL
Remove-Item Env:VILLAGE_DESK_TEST_PG_URL -ErrorAction SilentlyContinue
Invoke-Step 'pytest (全部测试，SQLite; whole suite on SQLite)' 'pytest' @()

if ($PgUrl) {
    $env:VILLAGE_DESK_TEST_PG_URL = $PgUrl
    Invoke-Step 'pytest -m storage (PostgreSQL)' 'pytest' @('-m', 'storage')
} else {
    Write-Host ''
    Write-Host '==> 跳过 PostgreSQL 测试：未设置 $env:VILLAGE_DESK_TEST_PG_URL (PostgreSQL storage tests skipped: set VILLAGE_DESK_TEST_PG_URL to run them)' -ForegroundColor Yellow
    $script:Summary.Add('  跳过 (skip)  pytest -m storage (PostgreSQL): VILLAGE_DESK_TEST_PG_URL not set')
}

Write-Host ''
Write-Host '==> 结果 (summary)'
$script:Summary | ForEach-Object { Write-Host $_ }
if ($script:Failures -gt 0) {
    Write-Host "==> $($script:Failures) 项失败 ($($script:Failures) step(s) failed)" -ForegroundColor Red
    exit 1
}
Write-Host '==> 全部通过 (all passed)'
exit 0
