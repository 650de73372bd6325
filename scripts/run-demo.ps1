<#
.SYNOPSIS
  准备环境并打开演示村“小大歹村” (set up, then start 村务通 on the demo village).
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File scripts\run-demo.ps1
  powershell -ExecutionPolicy Bypass -File scripts\run-demo.ps1 --data-dir D:\demo
#>
# No param() block: every argument goes on to the app through $args.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root

& (Join-Path $PSScriptRoot 'setup.ps1')
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

Write-Host '==> 启动村务通演示村 (starting 村务通 on the demo village 小大歹村)'
& (Join-Path $Root '.venv\Scripts\village-desk.exe') --demo @args
exit $LASTEXITCODE
