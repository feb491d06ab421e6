/**
 * Uploading documents to the Graph simulator: createUploadSession, the upload URLs (which carry
 * their own authorization), and the beta upload-session DELETE of seed 001.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type Answer, err, MAX_UPLOAD_CHUNK, type SimToken, UPLOAD_SCOPES } from './model';
import type { RouteRequest } from './routes';
import { canSee, findJob, iso, parseQuery, requireScope, type SimState, upnOf } from './state';

/** POST a document's createUploadSession. */
export function createUploadSession(st: SimState, { method, query, body, token }: RouteRequest, m: RegExpMatchArray): Answer {
  const [, kind, rawOwner, rawJob, rawDoc] = m;
  const q = parseQuery(query, []);
  if ('status' in q) return q;
  if (method !== 'POST') return err(405, 'MethodNotAllowed', 'createUploadSession is a POST action.');
  const denied = requireScope(token, UPLOAD_SCOPES);
  if (denied) return denied;
  const found = findJob(st, kind, decodeURIComponent(rawOwner), decodeURIComponent(rawJob));
  if ('status' in found) return found;
  const job = found.job;
  if (!canSee(token, job)) return err(403, 'Authorization_RequestDenied', 'Only the user who created the print job can upload its documents.');
  const doc = job.documents.find((d) => d.id === decodeURIComponent(rawDoc));
  if (!doc) return err(404, 'ResourceNotFound', `The document '${decodeURIComponent(rawDoc)}' was not found.`);
  const props = (body as { properties?: { documentName?: unknown; contentType?: unknown; size?: unknown } } | null)?.properties;
  if (!props || typeof props.documentName !== 'string' || typeof props.contentType !== 'string' || typeof props.size !== 'number' || !Number.isInteger(props.size) || props.size <= 0) {
    return err(400, 'BadRequest', 'properties must name documentName, contentType and a positive integer size.');
  }
  if (job.status.state !== 'paused' || !job.status.details.includes('uploadPending')) return err(400, 'BadRequest', `The print job '${job.id}' is not waiting for a document.`);
  const key = randomUUID();
  const expiresAt = st.now() + 15 * 60_000;
  st.uploads.set(key, { key, printerId: job.printerId, jobId: job.id, documentId: doc.id, size: props.size, received: 0, bytes: [], expiresAt });
  doc.displayName = props.documentName;
  // The job is named after its document.
  if (!job.displayName) job.displayName = props.documentName;
  doc.contentType = props.contentType;
  doc.size = props.size;
  return { status: 200, body: { uploadUrl: `${st.origin}/upload/${key}?sig=${randomUUID()}`, expirationDateTime: iso(expiresAt), nextExpectedRanges: ['0-'] } };
}

/**
 * The beta endpoint serves only what the app uses of it: seed 001's
 * `DELETE /print/printers/{id}/jobs/{id}/documents/{id}/uploadSession` (printers only, 204).
 */
export function betaRoute(st: SimState, method: string, path: string, query: URLSearchParams, token: SimToken): Answer {
  const m = path.match(/^\/print\/(printers|shares)\/([^/]+)\/jobs\/([^/]+)\/documents\/([^/]+)\/uploadSession$/);
  if (!m || m[1] !== 'printers') return err(400, 'BadRequest', `Resource not found for the segment '${m ? m[1] : (path.split('/').filter(Boolean).pop() ?? '')}'.`);
  if (method !== 'DELETE') return err(405, 'MethodNotAllowed', 'The upload session can only be deleted.');
  const q = parseQuery(query, []);
  if ('status' in q) return q;
  const denied = requireScope(token, UPLOAD_SCOPES);
  if (denied) return denied;
  const found = findJob(st, 'printers', decodeURIComponent(m[2]), decodeURIComponent(m[3]));
  if ('status' in found) return found;
  const job = found.job;
  if (upnOf(token) !== job.createdBy.userPrincipalName.toLowerCase()) {
    return err(403, 'Authorization_RequestDenied', 'Only the user or application that created the upload session can delete it.');
  }
  const doc = job.documents.find((d) => d.id === decodeURIComponent(m[4]));
  if (!doc) return err(404, 'ResourceNotFound', `The document '${decodeURIComponent(m[4])}' was not found.`);
  const s = [...st.uploads.values()].find((u) => u.printerId === job.printerId && u.jobId === job.id && u.documentId === doc.id);
  if (!s) return err(404, 'ResourceNotFound', 'There is no upload session for this document.');
  st.uploads.delete(s.key);
  return { status: 204 };
}

export function upload(st: SimState, method: string, key: string, headers: IncomingMessage['headers'], bytes: Buffer): Answer {
  if (headers.authorization) {
    return err(401, 'InvalidAuthenticationToken', 'The upload URL carries its own authorization: do not send an Authorization header.');
  }
  const s = st.uploads.get(key);
  if (!s) return err(404, 'itemNotFound', 'The upload session was not found or has been deleted.');
  if (s.expiresAt <= st.now()) {
    st.uploads.delete(key);
    return err(404, 'itemNotFound', 'The upload session has expired.');
  }
  if (method === 'DELETE') {
    st.uploads.delete(key);
    return { status: 204 };
  }
  if (method !== 'PUT') return err(405, 'MethodNotAllowed', 'Upload URLs accept PUT and DELETE.');
  const range = String(headers['content-range'] ?? '').match(/^bytes (\d+)-(\d+)\/(\d+)$/);
  if (!range) return err(400, 'invalidRange', 'Content-Range must be "bytes <first>-<last>/<total>".');
  const first = Number(range[1]);
  const last = Number(range[2]);
  const total = Number(range[3]);
  if (total !== s.size) return err(400, 'invalidRange', `The total size ${total} does not match the session's ${s.size} bytes.`);
  if (first !== s.received) return err(416, 'invalidRange', `Expected the range starting at ${s.received}.`);
  if (last < first || last >= total || last - first + 1 !== bytes.length) return err(400, 'invalidRange', 'Content-Range does not match the body length.');
  if (bytes.length > MAX_UPLOAD_CHUNK) return err(413, 'requestTooLarge', 'A fragment must not exceed 10 MiB.');
  if (st.lostFragments > 0) {
    st.lostFragments--;
    return { status: 202, body: { expirationDateTime: iso(s.expiresAt), nextExpectedRanges: [`${s.received}-${s.size - 1}`] } };
  }
  s.bytes.push(bytes);
  s.received = last + 1;
  const expirationDateTime = iso(s.expiresAt);
  if (s.received < s.size) return { status: 202, body: { expirationDateTime, nextExpectedRanges: [`${s.received}-${s.size - 1}`] } };
  const job = st.jobs.get(s.printerId)?.get(s.jobId);
  const doc = job?.documents.find((d) => d.id === s.documentId);
  if (doc) {
    doc.uploadedDateTime = iso(st.now());
    st.completedUploads.set(`${s.printerId}/${s.jobId}/${s.documentId}`, Buffer.concat(s.bytes));
  }
  st.uploads.delete(key);
  return { status: 201, body: { expirationDateTime, nextExpectedRanges: [] } };
}
