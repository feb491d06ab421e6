// A stand-in for main/sources/windows-spooler/host.ps1 running in Windows PowerShell 5.1: the same
// JSON lines protocol on stdin/stdout, with the rows written exactly as PowerShell 5.1's
// ConvertTo-Json writes Win32_PrintJob / Win32_Printer (property order of Select-Object, numbers
// for uint properties, "\/Date(<ms>)\/" for dates, one object rather than an array for a single
// row, an empty string for none, and < > & ' escaped as \u003c \u003e \u0026 \u0027), hashtable
// answers in no fixed key order, and the errors PowerShell gives (access denied, printer or job not
// found, the spooler service stopped, change events refused).
//
// It is stricter than PowerShell: an unknown op, a missing or ill-typed parameter, or a request
// before the "ready" line was read are refused. The test drives it over the Node IPC channel:
// it seeds printers and jobs, changes them (an event follows when subscribed), injects failures, and
// is told of every request the source sends.

const JOB_FIELDS = ['Document', 'Owner', 'JobStatus', 'StatusMask', 'TotalPages', 'PagesPrinted', 'Size', 'TimeSubmitted', 'JobId', 'Name'];
const PRINTER_FIELDS = ['Name', 'PrinterStatus', 'DetectedErrorState', 'ExtendedDetectedErrorState', 'WorkOffline', 'ExtendedPrinterStatus'];
const OPS = ['jobs', 'printers', 'subscribe', 'cancel', 'pause', 'resume'];
const BIT_NAMES = [
  [1, 'Paused'],
  [2, 'Error'],
  [4, 'Deleting'],
  [8, 'Spooling'],
  [16, 'Printing'],
  [32, 'Offline'],
  [64, 'Paper Out'],
  [128, 'Printed'],
  [256, 'Deleted'],
  [512, 'Blocked'],
  [1024, 'User Intervention Required'],
  [2048, 'Restarting'],
];

/** PowerShell 5.1's JavaScriptSerializer-style escaping of a JSON text. */
function ps51(text) {
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/'/g, '\\u0027')
    .replace(/"\/Date\((-?\d+)\)\/"/g, '"\\/Date($1)\\/"');
}

/** ConvertTo-Json -Compress of Select-Object rows: '' for none, an object for one, an array for more. */
function convertToJson(rows, fields) {
  if (rows.length === 0) return '';
  const shaped = rows.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] === undefined ? null : r[f]])));
  return ps51(JSON.stringify(shaped.length === 1 ? shaped[0] : shaped));
}

/** A hashtable through ConvertTo-Json: its keys in no fixed order (here: reversed). */
function hashtableLine(obj) {
  const entries = Object.entries(obj).reverse();
  return ps51(JSON.stringify(Object.fromEntries(entries)));
}

let printers = [];
/** Jobs as the test gives them: { printer, JobId, Document, Owner, StatusMask, TotalPages, PagesPrinted, Size, submittedMs, denied? }. */
let jobs = [];
let spoolerRunning = true;
let subscribed = false;
let refuseSubscribe = false;
/** A line written in place of the next answer (what PowerShell prints that is not the protocol). */
let garbageNext = null;
/** A CIM call that never returns: host.ps1 reads one request at a time, so no later one is answered either. */
let hung = false;

function jobStatusText(mask) {
  const names = BIT_NAMES.filter(([bit]) => (mask & bit) !== 0).map(([, n]) => n);
  return names.length ? names.join(' | ') : null;
}

function jobRow(j) {
  return {
    Document: j.Document ?? null,
    Owner: j.Owner ?? null,
    JobStatus: jobStatusText(j.StatusMask ?? 0),
    StatusMask: j.StatusMask ?? 0,
    TotalPages: j.TotalPages ?? 0,
    PagesPrinted: j.PagesPrinted ?? 0,
    Size: j.Size ?? 0,
    TimeSubmitted: `/Date(${j.submittedMs ?? Date.now()})/`,
    JobId: j.JobId,
    Name: `${j.printer}, ${j.JobId}`,
  };
}

function write(line) {
  process.stdout.write(`${line}\r\n`);
}

function event(change, job) {
  if (!subscribed) return;
  write(hashtableLine({ event: 'printjob', change, text: convertToJson([jobRow(job)], JOB_FIELDS) }));
}

class PsError extends Error {
  constructor(message, category, errorId) {
    super(message);
    this.category = category;
    this.errorId = errorId;
  }
}

const spoolerStopped = () => new PsError('The Print Spooler service is not running (Stopped).', 'ResourceUnavailable', 'SpoolerStopped');

function findJob(req, cmdlet) {
  if (typeof req.printer !== 'string' || req.printer === '') throw new PsError("Cannot validate argument on parameter 'PrinterName'. The argument is null or empty.", 'InvalidData', `ParameterArgumentValidationError,${cmdlet}`);
  if (!Number.isInteger(req.jobId) || req.jobId < 0) throw new PsError(`Cannot process argument transformation on parameter 'ID'. Cannot convert value "${req.jobId}" to type "System.UInt32".`, 'InvalidData', `ParameterArgumentTransformationError,${cmdlet}`);
  if (!spoolerRunning) throw new PsError('The spooler service is not reachable. Ensure the spooler service is running.', 'NotSpecified', `HRESULT 0x800706ba,${cmdlet}`);
  if (!printers.some((p) => p.Name === req.printer)) throw new PsError('The specified printer was not found.', 'ObjectNotFound', `HRESULT 0x80070709,${cmdlet}`);
  const job = jobs.find((j) => j.printer === req.printer && j.JobId === req.jobId);
  if (!job) throw new PsError('The parameter is incorrect.', 'InvalidArgument', `HRESULT 0x80070057,${cmdlet}`);
  if (job.denied) throw new PsError('Access was denied to the specified resource.', 'PermissionDenied', `HRESULT 0x80070005,${cmdlet}`);
  return job;
}

function handle(req) {
  switch (req.op) {
    case 'jobs':
      if (!spoolerRunning) throw spoolerStopped();
      return convertToJson(jobs.map(jobRow), JOB_FIELDS);
    case 'printers':
      if (!spoolerRunning) throw spoolerStopped();
      return convertToJson(printers, PRINTER_FIELDS);
    case 'subscribe':
      if (refuseSubscribe) throw new PsError('Access denied ', 'PermissionDenied', 'HRESULT 0x80041003,Microsoft.Management.Infrastructure.CimCmdlets.RegisterCimIndicationCommand');
      subscribed = true;
      return '';
    case 'cancel': {
      const job = findJob(req, 'Remove-PrintJob');
      job.StatusMask |= 4;
      event('__InstanceModificationEvent', job);
      jobs = jobs.filter((j) => j !== job);
      event('__InstanceDeletionEvent', job);
      return '';
    }
    case 'pause': {
      const job = findJob(req, 'Suspend-PrintJob');
      job.StatusMask |= 1;
      event('__InstanceModificationEvent', job);
      return '';
    }
    case 'resume': {
      const job = findJob(req, 'Resume-PrintJob');
      job.StatusMask &= ~1;
      event('__InstanceModificationEvent', job);
      return '';
    }
    default:
      throw new PsError(`Unknown request: ${req.op}`, 'OperationStopped', `Unknown request: ${req.op}`);
  }
}

function onLine(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    write(hashtableLine({ id: null, ok: false, error: { message: 'Invalid JSON primitive.', category: 'NotSpecified', errorId: 'System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand' } }));
    return;
  }
  process.send?.({ type: 'request', request: req });
  if (hung) return;
  if (garbageNext !== null) {
    write(garbageNext);
    garbageNext = null;
    return;
  }
  if (!Number.isInteger(req.id) || !OPS.includes(req.op)) {
    // Stricter than host.ps1: every request carries a numeric id and a documented op.
    write(hashtableLine({ id: Number.isInteger(req.id) ? req.id : null, ok: false, error: { message: `Unknown request: ${req.op}`, category: 'OperationStopped', errorId: 'StandIn.BadRequest' } }));
    return;
  }
  try {
    write(hashtableLine({ id: req.id, ok: true, text: handle(req) }));
  } catch (err) {
    write(hashtableLine({ id: req.id, ok: false, error: { message: err.message, category: err.category ?? 'NotSpecified', errorId: err.errorId ?? '' } }));
  }
}

function onControl(msg) {
  switch (msg.type) {
    case 'seed':
      if (msg.refuseSubscribe !== undefined) refuseSubscribe = msg.refuseSubscribe;
      printers = msg.printers ?? printers;
      jobs = (msg.jobs ?? jobs).map((j) => ({ ...j }));
      break;
    case 'job': {
      const i = jobs.findIndex((j) => j.printer === msg.job.printer && j.JobId === msg.job.JobId);
      if (i >= 0) jobs[i] = { ...jobs[i], ...msg.job };
      else jobs.push({ ...msg.job });
      event(i >= 0 ? '__InstanceModificationEvent' : '__InstanceCreationEvent', jobs[i >= 0 ? i : jobs.length - 1]);
      break;
    }
    case 'remove': {
      const job = jobs.find((j) => j.printer === msg.printer && j.JobId === msg.jobId);
      jobs = jobs.filter((j) => j !== job);
      if (job) event('__InstanceDeletionEvent', job);
      break;
    }
    case 'printer': {
      const i = printers.findIndex((p) => p.Name === msg.printer.Name);
      if (i >= 0) printers[i] = { ...printers[i], ...msg.printer };
      else printers.push(msg.printer);
      break;
    }
    case 'spooler':
      spoolerRunning = msg.running;
      break;
    case 'refuseSubscribe':
      refuseSubscribe = msg.refuse;
      break;
    case 'exit':
      // What it writes on its error stream goes out before it ends.
      process.stderr.write(msg.stderr ?? '', () => process.exit(msg.code ?? 1));
      return;
    case 'hang':
      hung = true;
      break;
    case 'garbage':
      garbageNext = msg.line;
      break;
    default:
      break;
  }
  process.send?.({ type: 'ack', seq: msg.seq });
}

const startSeed = process.env.PQM_SPOOLER_SEED ? JSON.parse(process.env.PQM_SPOOLER_SEED) : null;
if (startSeed?.failAtStart) {
  // The script fails before its first line of protocol (Windows PowerShell 5.1 in Constrained
  // Language Mode refuses [Console]::OutputEncoding): with -EncodedCommand and its error stream
  // redirected, PowerShell writes the error as CLIXML there and exits 1, whatever it was sent.
  process.stderr.write(startSeed.failAtStart, () => process.exit(1));
} else {
  if (startSeed) onControl({ ...startSeed, type: 'seed' });
  process.on('message', onControl);
  process.on('disconnect', () => process.exit(0));
}

let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl).replace(/\r$/, '');
    buffer = buffer.slice(nl + 1);
    if (line.trim()) onLine(line);
  }
});
process.stdin.on('end', () => process.exit(0));
if (!startSeed?.failAtStart) write(hashtableLine({ event: 'ready', psVersion: '5.1.19041.4648' }));
