/**
 * The Graph simulator's control surface for tests and the demo: what exists (printers, shares,
 * jobs, tokens), how jobs move on, which faults the next requests meet, and what was asked.
 */
import { randomUUID } from 'node:crypto';
import { type GraphSimulator, matcher, PRINTER_PROCESSING_STATES, PRINTER_STATE_DETAILS, type SimPrinter, type SimShare } from './model';
import { applyStep, createJob, jobJson, type SimState } from './state';

type Controls<K extends keyof GraphSimulator> = Pick<GraphSimulator, K>;

export function catalogControls(st: SimState): Controls<'addPrinter' | 'addShare' | 'setPrinterStatus'> {
  return {
    addPrinter(p) {
      const printer: SimPrinter = {
        manufacturer: 'Contoso',
        model: 'LaserWriter 9000',
        isShared: true,
        isAcceptingJobs: true,
        status: { state: 'idle', details: [], description: '' },
        location: null,
        ...p,
      };
      st.printers.set(printer.id, printer);
      return printer;
    },
    addShare(s) {
      const share: SimShare = { isAcceptingJobs: true, status: { state: 'idle', details: [], description: '' }, location: null, ...s };
      st.shares.set(share.id, share);
      return share;
    },
    setPrinterStatus(id, status, isAcceptingJobs) {
      const targets = [st.printers.get(id), ...[...st.shares.values()].filter((s) => s.printerId === id || s.id === id)].filter(Boolean) as (SimPrinter | SimShare)[];
      if (targets.length === 0) throw new Error(`no printer or share ${id}`);
      // Graph sends only its documented values; a test cannot script one it would never send.
      if (status.state !== undefined && !PRINTER_PROCESSING_STATES.includes(status.state)) throw new Error(`"${status.state}" is not a printerProcessingState`);
      for (const d of status.details ?? []) if (!PRINTER_STATE_DETAILS.includes(d)) throw new Error(`"${d}" is not a printerProcessingStateDetail`);
      for (const t of targets) {
        t.status = { ...t.status, ...status };
        if (isAcceptingJobs !== undefined) t.isAcceptingJobs = isAcceptingJobs;
      }
    },
  };
}

export function jobControls(st: SimState): Controls<'addJob' | 'getJob' | 'setJobStatus' | 'addTask' | 'purgeJob' | 'tick' | 'uploadedBytes' | 'uploadSessions'> {
  return {
    addJob(input) {
      return jobJson(createJob(st, input), new Set(['documents', 'tasks']));
    },
    getJob(printerId, jobId) {
      const j = st.jobs.get(printerId)?.get(jobId);
      return j ? jobJson(j, new Set(['documents', 'tasks'])) : null;
    },
    setJobStatus(printerId, jobId, status, errorCode) {
      const j = st.jobs.get(printerId)?.get(jobId);
      if (!j) throw new Error(`no job ${printerId}/${jobId}`);
      j.script = [{ state: status.state, details: status.details, description: status.description }];
      j.step = 0;
      applyStep(st, j);
      if (errorCode !== undefined) j.errorCode = errorCode;
    },
    addTask(printerId, jobId, task) {
      const j = st.jobs.get(printerId)?.get(jobId);
      if (!j) throw new Error(`no job ${printerId}/${jobId}`);
      const id = randomUUID();
      j.tasks.push({ id, state: task.state ?? 'processing', description: task.description ?? 'The task is being processed.', createdByAppId: task.appId });
      return id;
    },
    purgeJob(printerId, jobId) {
      st.jobs.get(printerId)?.delete(jobId);
    },
    tick(steps = 1) {
      for (let i = 0; i < steps; i++) {
        for (const m of st.jobs.values()) {
          for (const j of m.values()) {
            if (j.step < j.script.length - 1) {
              j.step += 1;
              applyStep(st, j);
            }
          }
        }
      }
    },
    uploadedBytes(printerId, jobId, documentId) {
      return st.completedUploads.get(`${printerId}/${jobId}/${documentId}`) ?? null;
    },
    uploadSessions() {
      return [...st.uploads.values()].map((s) => ({ uploadUrl: `${st.origin}/upload/${s.key}`, printerId: s.printerId, jobId: s.jobId, documentId: s.documentId, received: s.received, size: s.size }));
    },
  };
}

export function authControls(st: SimState): Controls<'addToken' | 'expireToken' | 'approveDeviceCode' | 'mintedTokens'> {
  return {
    addToken(token, info) {
      st.tokens.set(token, info);
    },
    expireToken(token) {
      const t = st.tokens.get(token) ?? st.minted.get(token);
      if (!t) throw new Error('unknown token');
      t.expiresAt = st.now() - 1;
    },
    approveDeviceCode(userCode, upn) {
      const dc = [...st.deviceCodes.values()].find((d) => d.userCode === userCode);
      if (!dc) throw new Error(`no device code ${userCode}`);
      dc.approvedAs = upn;
    },
    mintedTokens() {
      return st.minted;
    },
  };
}

export function faultControls(st: SimState): Controls<'injectFault' | 'injectItemFault' | 'foreignNextLink' | 'loseUploadFragments' | 'clearFaults' | 'resetLog' | 'counts' | 'httpRequests'> {
  return {
    loseUploadFragments(times = 1) {
      st.lostFragments = times;
    },
    injectFault(match, fault, times = 1) {
      st.faults.push({ match: matcher(match), fault, times });
    },
    injectItemFault(match, fault, times = 1) {
      st.itemFaults.push({ match: matcher(match), fault, times });
    },
    foreignNextLink(o, times = 1) {
      st.foreign = { origin: o, times };
    },
    clearFaults() {
      st.faults = [];
      st.itemFaults = [];
      st.foreign = null;
      st.lostFragments = 0;
    },
    resetLog() {
      st.log.length = 0;
    },
    counts(o = {}) {
      const out: Record<string, number> = {};
      for (const e of st.log) {
        if (o.viaBatch !== undefined && e.viaBatch !== o.viaBatch) continue;
        const k = `${e.method} ${e.path}`;
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    },
    httpRequests(match) {
      const f = matcher(match ?? null);
      return st.log.filter((e) => !e.viaBatch && f(e.method, e.path)).length;
    },
  };
}
