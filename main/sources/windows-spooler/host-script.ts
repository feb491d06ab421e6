/**
 * host.ps1: the Windows PowerShell 5.1 script the spooler source runs as one long-lived process
 * (passed with -EncodedCommand). Kept as text in a module so that every runtime (the app's bundle, the
 * CLI, the preview under tsx) loads it the same way. The script uses no backtick and no "${".
 */
export const HOST_SCRIPT = String.raw`# Print Queue Monitor: the Windows print spooler host (Windows PowerShell 5.1).
#
# One long-lived process. Reads one JSON request per line on stdin and answers each with one JSON
# line on stdout; also writes an event line whenever a print job is created, changed or deleted.
#
#   request  {"id":1,"op":"jobs"} | {"id":2,"op":"printers"} | {"id":3,"op":"subscribe"}
#            {"id":4,"op":"cancel"|"pause"|"resume","printer":"<name>","jobId":12}
#   answer   {"id":1,"ok":true,"text":"<ConvertTo-Json of the rows, '' for none>"}
#            {"id":1,"ok":false,"error":{"message":"...","category":"...","errorId":"..."}}
#   events   {"event":"ready","psVersion":"5.1..."}
#            {"event":"printjob","change":"__InstanceCreationEvent","text":"<ConvertTo-Json of the job>"}

$ErrorActionPreference = 'Stop'
$utf8 = New-Object System.Text.UTF8Encoding $false
[Console]::OutputEncoding = $utf8

$JobFields = @('Document', 'Owner', 'JobStatus', 'StatusMask', 'TotalPages', 'PagesPrinted', 'Size', 'TimeSubmitted', 'JobId', 'Name')
$PrinterFields = @('Name', 'PrinterStatus', 'DetectedErrorState', 'ExtendedDetectedErrorState', 'WorkOffline', 'ExtendedPrinterStatus')
$EventSource = 'pqm.printjob'

function Send-Line($value) {
  [Console]::Out.WriteLine(($value | ConvertTo-Json -Compress -Depth 4))
  [Console]::Out.Flush()
}

function ConvertTo-Text($rows) {
  $text = $rows | ConvertTo-Json -Compress -Depth 3
  if ($null -eq $text) { return '' }
  return [string]$text
}

function Get-ErrorOf($err) {
  return @{
    message  = [string]$err.Exception.Message
    category = [string]$err.CategoryInfo.Category
    errorId  = [string]$err.FullyQualifiedErrorId
  }
}

# Says plainly that the Print Spooler service is stopped, rather than CIM's "Generic failure".
function Assert-Spooler {
  $service = Get-Service -Name Spooler -ErrorAction SilentlyContinue
  if ($service -and $service.Status -ne 'Running') {
    $cause = New-Object System.InvalidOperationException ("The Print Spooler service is not running ({0})." -f $service.Status)
    throw (New-Object System.Management.Automation.ErrorRecord $cause, 'SpoolerStopped', 'ResourceUnavailable', $null)
  }
}

function Invoke-Request($request) {
  if (@('jobs', 'printers') -contains [string]$request.op) { Assert-Spooler }
  switch ([string]$request.op) {
    'jobs' { return ConvertTo-Text (Get-CimInstance -ClassName Win32_PrintJob | Select-Object -Property $JobFields) }
    'printers' { return ConvertTo-Text (Get-CimInstance -ClassName Win32_Printer | Select-Object -Property $PrinterFields) }
    'cancel' { Remove-PrintJob -PrinterName ([string]$request.printer) -ID ([uint32]$request.jobId); return '' }
    'pause' { Suspend-PrintJob -PrinterName ([string]$request.printer) -ID ([uint32]$request.jobId); return '' }
    'resume' { Resume-PrintJob -PrinterName ([string]$request.printer) -ID ([uint32]$request.jobId); return '' }
    'subscribe' {
      if (-not (Get-EventSubscriber -SourceIdentifier $EventSource -ErrorAction SilentlyContinue)) {
        Register-CimIndicationEvent -Query "SELECT * FROM __InstanceOperationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_PrintJob'" -SourceIdentifier $EventSource | Out-Null
      }
      return ''
    }
    default { throw "Unknown request: $($request.op)" }
  }
}

function Send-Events {
  foreach ($ev in @(Get-Event -SourceIdentifier $EventSource -ErrorAction SilentlyContinue)) {
    $happened = $ev.SourceEventArgs.NewEvent
    Send-Line @{ event = 'printjob'; change = [string]$happened.CimClass.CimClassName; text = (ConvertTo-Text ($happened.TargetInstance | Select-Object -Property $JobFields)) }
    Remove-Event -EventIdentifier $ev.EventIdentifier
  }
}

Send-Line @{ event = 'ready'; psVersion = [string]$PSVersionTable.PSVersion }
# Requests are read by a reader of the script's own over the standard input stream, in UTF-8.
# [Console]::In is a synchronized reader whose ReadLineAsync reads the whole line before it returns
# (.NET Framework's SyncTextReader): with it the loop would wait for the next request, and job
# events would be written only after an answer. This reader's read runs on the thread pool, so
# the loop wakes every 200 ms and writes events while no request comes.
$reader = [System.IO.StreamReader]::new([Console]::OpenStandardInput(), $utf8)
$pending = $reader.ReadLineAsync()
while ($true) {
  if ($pending.Wait(200)) {
    $line = $pending.Result
    if ($null -eq $line) { break }
    $id = $null
    try {
      $request = $line | ConvertFrom-Json
      $id = $request.id
      Send-Line @{ id = $id; ok = $true; text = (Invoke-Request $request) }
    } catch {
      Send-Line @{ id = $id; ok = $false; error = (Get-ErrorOf $_) }
    }
    $pending = $reader.ReadLineAsync()
  }
  Send-Events
}
`;
