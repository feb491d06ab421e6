/** The Graph simulator's print job routes: lists, creation, one job, and the job actions. */
import { ABORT_SCOPES, type Answer, CANCEL_SCOPES, CREATE_SCOPES, err, FINAL_JOB_STATES, LIFECYCLES, READ_JOB_SCOPES } from './model';
import type { RouteRequest } from './routes';
import { applyStep, canSee, createJob, findJob, isAdmin, jobJson, jobsOf, page, parseExpand, parseQuery, requireScope, resolveOwner, type SimState, upnOf, userOf } from './state';

/** A printer's or share's jobs: GET the list (filtered by creator), POST a new job on a share. */
export function jobList(st: SimState, { method, path, query, body, token }: RouteRequest, m: RegExpMatchArray): Answer {
  const kind = m[1];
  const ownerId = decodeURIComponent(m[2]);
  if (method === 'GET') {
    const q = parseQuery(query, ['$filter', '$skiptoken', '$expand']);
    if ('status' in q) return q;
    // Lists document only $expand=documents (documents are omitted unless asked for).
    const listExpand = parseExpand(q.params.$expand);
    if ('status' in listExpand) return listExpand as Answer;
    if ((listExpand as Set<string>).has('tasks')) return err(400, 'BadRequest', "Expanding 'tasks' is not supported on a list of print jobs; read one job with $expand=tasks.");
    const denied = requireScope(token, READ_JOB_SCOPES);
    if (denied) return denied;
    const owner = resolveOwner(st, kind, ownerId);
    if ('status' in owner) return owner;
    let filterUpn: string | null = null;
    if (q.params.$filter !== undefined) {
      const f = q.params.$filter.match(/^createdBy\/userPrincipalName eq '((?:[^']|'')+)'$/);
      if (!f) return err(400, 'BadRequest', `Invalid filter clause: only createdBy/userPrincipalName eq '<upn>' is supported on print jobs.`);
      filterUpn = f[1].replace(/''/g, "'").toLowerCase();
    }
    if (!isAdmin(token) && filterUpn !== upnOf(token)) {
      return err(403, 'Authorization_RequestDenied', "Listing other users' print jobs requires the Printer Administrator role.");
    }
    const list = [...jobsOf(st, owner.printerId).values()]
      .filter((j) => filterUpn === null || j.createdBy.userPrincipalName.toLowerCase() === filterUpn)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
      .map((j) => jobJson(j, listExpand as Set<string>));
    const extra = [
      q.params.$filter !== undefined ? `$filter=${encodeURIComponent(q.params.$filter)}` : '',
      q.params.$expand !== undefined ? `$expand=${encodeURIComponent(q.params.$expand)}` : '',
    ]
      .filter(Boolean)
      .join('&');
    return { status: 200, body: { '@odata.context': `${st.origin}/v1.0/$metadata#print/${kind}('${ownerId}')/jobs`, ...page(st, list, Number(q.params.$skiptoken ?? 0), path, extra) } };
  }
  if (method === 'POST') {
    if (kind !== 'shares') return err(405, 'MethodNotAllowed', 'Print jobs are created on a printer share.');
    const q = parseQuery(query, []);
    if ('status' in q) return q;
    const denied = requireScope(token, CREATE_SCOPES);
    if (denied) return denied;
    if (token.kind !== 'delegated') return err(403, 'Authorization_RequestDenied', 'Creating a print job requires delegated permissions.');
    const share = st.shares.get(ownerId);
    if (!share) return err(404, 'ResourceNotFound', `The printer share '${ownerId}' was not found.`);
    if (!share.isAcceptingJobs) return err(400, 'BadRequest', `The printer share '${share.displayName}' is not accepting jobs.`);
    const b = body as { configuration?: unknown } | null;
    if (!b || typeof b !== 'object' || (b.configuration !== undefined && (typeof b.configuration !== 'object' || b.configuration === null))) {
      return err(400, 'BadRequest', 'The request body must be a printJob with a configuration object.');
    }
    // "The printJob object should only contain configuration property. All other fields ... are set
    // automatically during resource creation and should not be provided in request."
    const other = Object.keys(b).filter((k) => k !== 'configuration');
    if (other.length) return err(400, 'BadRequest', `Property '${other[0]}' cannot be set when a print job is created; only 'configuration' can.`);
    const job = createJob(st, {
      printerId: share.printerId,
      shareId: share.id,
      upn: token.upn,
      userDisplayName: token.displayName,
      displayName: '',
      lifecycle: 'uploadPending',
      documents: [{ displayName: '', contentType: '', size: 0 }],
    });
    job.createdBy = userOf(token);
    job.configuration = (b.configuration as Record<string, unknown>) ?? {};
    return { status: 201, body: jobJson(job, new Set(['documents'])) };
  }
  return err(405, 'MethodNotAllowed', `${method} is not supported on print jobs.`);
}

/** GET one job, with $expand=documents,tasks. */
export function oneJob(st: SimState, { method, query, token }: RouteRequest, m: RegExpMatchArray): Answer {
  if (method !== 'GET') return err(405, 'MethodNotAllowed', `${method} is not supported on a print job.`);
  const q = parseQuery(query, ['$expand']);
  if ('status' in q) return q;
  const denied = requireScope(token, READ_JOB_SCOPES);
  if (denied) return denied;
  const expand = parseExpand(q.params.$expand);
  if ('status' in expand) return expand as Answer;
  const found = findJob(st, m[1], decodeURIComponent(m[2]), decodeURIComponent(m[3]));
  if ('status' in found) return found;
  if (!canSee(token, found.job)) return err(403, 'Authorization_RequestDenied', "Reading other users' print jobs requires the Printer Administrator role.");
  return { status: 200, body: { '@odata.context': `${st.origin}/v1.0/$metadata#print/${m[1]}('${m[2]}')/jobs/$entity`, ...jobJson(found.job, expand as Set<string>) } };
}

/** POST cancel (delegated), abort and redirect (application, printers only), start (after the upload). */
export function jobAction(st: SimState, { query, body, token }: RouteRequest, m: RegExpMatchArray): Answer {
  const [, kind, rawOwner, rawJob, action] = m;
  const q = parseQuery(query, []);
  if ('status' in q) return q;
  const found = findJob(st, kind, decodeURIComponent(rawOwner), decodeURIComponent(rawJob));
  if (action === 'cancel') {
    if (token.kind !== 'delegated') return err(403, 'Authorization_RequestDenied', 'Cancel is supported only with delegated permissions.');
    const denied = requireScope(token, CANCEL_SCOPES);
    if (denied) return denied;
    if ('status' in found) return found;
    const job = found.job;
    if (!canSee(token, job)) return err(403, 'Authorization_RequestDenied', "Canceling other users' print jobs requires the Printer Administrator role.");
    if (FINAL_JOB_STATES.has(job.status.state)) return err(400, 'BadRequest', `The print job '${job.id}' is already ${job.status.state} and can no longer be canceled.`);
    job.status = { state: 'canceled', description: 'The print job was canceled by the user.', details: [], isAcquiredByPrinter: job.status.isAcquiredByPrinter };
    job.script = [{ state: 'canceled', description: 'The print job was canceled by the user.' }];
    job.step = 0;
    return { status: 204 };
  }
  if (action === 'abort' || action === 'redirect') {
    if (kind !== 'printers') return err(400, 'BadRequest', `${action} is available on /print/printers/{id}/jobs/{id} only.`);
    if (token.kind !== 'application') return err(403, 'Authorization_RequestDenied', `The ${action} action is supported only with application permissions.`);
    const denied = requireScope(token, ABORT_SCOPES);
    if (denied) return denied;
    if ('status' in found) return found;
    const job = found.job;
    const task = job.tasks.find((t) => t.state === 'processing' && t.createdByAppId === token.appId);
    if (!task) {
      return err(400, 'BadRequest', `The print job '${job.id}' has no processing print task created by a task trigger of this application.`);
    }
    if (action === 'abort') {
      const reason = (body as { reason?: unknown } | null)?.reason;
      if (reason !== undefined && typeof reason !== 'string') return err(400, 'BadRequest', 'reason must be a string.');
      task.state = 'aborted';
      task.description = 'The task was aborted.';
      job.status = { state: 'aborted', description: typeof reason === 'string' && reason ? reason : 'The print job was aborted.', details: [], isAcquiredByPrinter: job.status.isAcquiredByPrinter };
      job.script = [{ state: 'aborted', description: job.status.description }];
      job.step = 0;
      return { status: 204 };
    }
    const dest = (body as { destinationPrinterId?: unknown } | null)?.destinationPrinterId;
    if (typeof dest !== 'string' || !st.printers.has(dest)) return err(400, 'BadRequest', 'destinationPrinterId must name a registered printer.');
    const moved = createJob(st, { printerId: dest, upn: job.createdBy.userPrincipalName, displayName: job.displayName, lifecycle: 'completed', redirectedFrom: `https://graph.microsoft.com/v1.0/print/printers/${job.printerId}/jobs/${job.id}` });
    moved.createdBy = { ...job.createdBy };
    moved.documents = job.documents.map((d) => ({ ...d }));
    task.state = 'completed';
    job.redirectedTo = `https://graph.microsoft.com/v1.0/print/printers/${dest}/jobs/${moved.id}`;
    job.status = { state: 'completed', description: 'The print job was redirected to another printer.', details: ['completedSuccessfully'], isAcquiredByPrinter: true };
    job.script = [{ state: 'completed', details: ['completedSuccessfully'], description: job.status.description }];
    job.step = 0;
    return { status: 200, body: jobJson(moved, new Set()) };
  }
  // start
  if (kind !== 'shares') return err(400, 'BadRequest', 'start is available on /print/shares/{id}/jobs/{id} only.');
  if (token.kind !== 'delegated') return err(403, 'Authorization_RequestDenied', 'Starting a print job requires delegated permissions.');
  const denied = requireScope(token, CREATE_SCOPES);
  if (denied) return denied;
  if ('status' in found) return found;
  const job = found.job;
  if (!canSee(token, job)) return err(403, 'Authorization_RequestDenied', 'Only the creator of a print job can start it.');
  if (job.status.state !== 'paused' || !job.status.details.includes('uploadPending')) {
    return err(400, 'BadRequest', `The print job '${job.id}' has already been started or is ${job.status.state}.`);
  }
  const missing = job.documents.find((d) => d.uploadedDateTime === null);
  if (missing) return err(400, 'BadRequest', `The document '${missing.id}' of print job '${job.id}' has not been uploaded.`);
  job.script = LIFECYCLES.completed;
  job.step = 0;
  applyStep(st, job);
  return { status: 200, body: { ...job.status } };
}
