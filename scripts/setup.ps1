<#
.SYNOPSIS
  村务通 开发环境准备 (set up a development environment) on Windows.
.DESCRIPTION
  Creates .venv with Python 3.11 or newer (py -3.11, py -3, then python), upgrades pip and
  installs village-desk in editable mode. Safe to run again: pip runs only when pyproject.toml,
  the package folders or the extras changed since the last install.
  Windows needs no extra system libraries: the PySide6 wheels carry Qt.
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File scripts\setup.ps1          # 运行所需 (to run the app)
  powershell -ExecutionPolicy Bypass -File scripts\setup.ps1 -Test    # 另加测试工具 (plus test tools)
#>
param([switch]$Test)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Venv = Join-Path $Root '.venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$Mode = if ($Test) { 'test' } else { 'plain' }

function Say([string]$Message) { Write-Host "==> $Message" }
function Fail([string]$Message) {
    Write-Host "错误 (error): $Message" -ForegroundColor Red
    exit 1
}

# Runs a native command; returns its exit code, or -1 if it cannot be started.
# Stderr is not redirected: Windows PowerShell 5.1 turns redirected stderr lines into errors.
function Invoke-Native([string]$Exe, [string[]]$Arguments) {
    $saved = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        & $Exe @Arguments | Out-Null
        return $LASTEXITCODE
    } catch {
        return -1
    } finally {
        $ErrorActionPreference = $saved
    }
}

$VersionCheck = 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'

function Find-Python {
    # Each candidate: the command and the arguments that come before ours.
    $candidates = @(
        @('py', '-3.11'),
        @('py', '-3'),
        @('python')
    )
    foreach ($candidate in $candidates) {
        $exe = $candidate[0]
        $pre = @($candidate | Select-Object -Skip 1)
        if (-not (Get-Command $exe -ErrorAction SilentlyContinue)) { continue }
        if ((Invoke-Native $exe ($pre + @('-c', $VersionCheck))) -eq 0) {
            return , $candidate
        }
    }
    Fail '找不到 3.11 或更新的 Python；请从 python.org 安装 Python 3.11（勾选 py 启动器）后再运行 (no Python >= 3.11 found)'
}

function New-Venv {
    if ((Test-Path $VenvPython) -and ((Invoke-Native $VenvPython @('-c', $VersionCheck)) -eq 0)) {
        Say '使用已有虚拟环境 (reusing .venv)'
        return
    }
    if (Test-Path $Venv) {
        if (-not (Test-Path (Join-Path $Venv 'pyvenv.cfg'))) {
            Fail "$Venv 不是虚拟环境，未自动删除；请检查或删除它后再运行 (not a virtual environment, left alone)"
        }
        Say '已有的 .venv 不可用或 Python 太旧，重新创建 (existing .venv is broken or too old: recreating)'
        Remove-Item -Recurse -Force $Venv
    }
    $python = Find-Python
    $exe = $python[0]
    $pre = @($python | Select-Object -Skip 1)
    Say "创建虚拟环境 (creating .venv) with $($python -join ' ')"
    & $exe @pre -m venv $Venv
    if ($LASTEXITCODE -ne 0) { Fail '创建 .venv 失败 (could not create .venv)' }
}

# What the last install saw: setuptools maps the top-level packages at install time,
# so a new package folder (db\, ui\, ...) needs a fresh install too.
function Get-InstallState {
    $parts = New-Object System.Collections.Generic.List[string]
    $parts.Add((& $VenvPython -c 'import sys; print(sys.version)'))
    $parts.Add([System.IO.File]::ReadAllText((Join-Path $Root 'pyproject.toml')))
    Get-ChildItem -Path $Root -Directory | Sort-Object Name | ForEach-Object {
        if (Test-Path (Join-Path $_.FullName '__init__.py')) { $parts.Add("package $($_.Name)") }
    }
    $bytes = [System.Text.Encoding]::UTF8.GetBytes(($parts -join "`n"))
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        return ([System.BitConverter]::ToString($sha.ComputeHash($bytes)) -replace '-', '').ToLower()
    } finally {
        $sha.Dispose()
    }
}

function Install-Project {
    $stamp = Join-Path $Venv '.village-desk-installed'
    $state = Get-InstallState
    if ((Test-Path $stamp) -and ((Invoke-Native $VenvPython @('-c', 'import village_desk')) -eq 0)) {
        $seen = @(Get-Content $stamp)
        # A test install also serves a plain run.
        if (($seen -contains "$state test") -or ($Mode -eq 'plain' -and $seen -contains "$state plain")) {
            Say '依赖已是最新 (dependencies up to date)'
            return
        }
    }
    Say '升级 pip (upgrading pip)'
    & $VenvPython -m pip install --quiet --disable-pip-version-check --upgrade pip
    if ($LASTEXITCODE -ne 0) { Fail '升级 pip 失败 (could not upgrade pip)' }
    $target = if ($Mode -eq 'test') { '.[test]' } else { '.' }
    Say "安装村务通及其依赖 (installing village-desk): pip install -e '$target'"
    & $VenvPython -m pip install --quiet --disable-pip-version-check -e $target
    if ($LASTEXITCODE -ne 0) { Fail 'pip 安装失败，见上方信息 (pip install failed, see above)' }
    Set-Content -Path $stamp -Value "$state $Mode" -Encoding ASCII
}

Say "村务通环境准备 (setting up village-desk, mode: $Mode)"
New-Venv
Install-Project
Say "环境就绪 (ready): $Venv"
exit 0
