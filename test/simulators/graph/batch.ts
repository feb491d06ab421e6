/** The Graph simulator's JSON $batch: at most 20 steps, unique ids, relative URLs, per-step faults, shuffled answers. */
import { type Answer, err, type ItemFault } from './model';
import { route } from './routes';
import { authenticate, type SimState } from './state';

export function itemFaultFor(st: SimState, method: string, path: string): ItemFault | null {
  for (const r of st.itemFaults) {
    if (r.times > 0 && r.match(method, path)) {
      r.times -= 1;
      st.itemFaults = st.itemFaults.filter((x) => x.times > 0);
      return r.fault;
    }
  }
  return null;
}

export function batch(st: SimState, body: unknown, authorization: string | undefined): Answer {
  const reqs = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(reqs) || reqs.length === 0) return err(400, 'BadRequest', 'Invalid batch payload format: requests must be a non-empty array.');
  if (reqs.length > 20) return err(400, 'BadRequest', 'Number of batch request steps exceeds the maximum of 20.');
  const ids = new Set<string>();
  for (const r of reqs) {
    const id = (r as { id?: unknown })?.id;
    if (typeof id !== 'string' || id === '') return err(400, 'BadRequest', 'Every batch request needs a string id.');
    if (ids.has(id)) return err(400, 'BadRequest', `Batch request id '${id}' is not unique.`);
    ids.add(id);
  }
  const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
  for (const r of reqs as { id: string; method?: unknown; url?: unknown; body?: unknown; headers?: unknown }[]) {
    const method = typeof r.method === 'string' ? r.method.toUpperCase() : '';
    const url = typeof r.url === 'string' ? r.url : '';
    let answer: Answer;
    let itemPath = url;
    let itemQuery = '';
    if (!method || !url) answer = err(400, 'BadRequest', 'A batch request needs method and url.');
    else if (/^[a-z]+:\/\//i.test(url)) answer = err(400, 'BadRequest', 'Batch request urls must be relative to the version root, not absolute.');
    else if (/^\/?(v1\.0|beta)(\/|$)/i.test(url)) answer = err(400, 'BadRequest', 'Batch request urls must not repeat the version segment.');
    else {
      const u = new URL(url.startsWith('/') ? url : `/${url}`, 'http://batch.invalid');
      itemPath = u.pathname;
      itemQuery = u.search.slice(1);
      const fault = itemFaultFor(st, method, itemPath);
      if (fault) {
        answer =
          fault.status === 429
            ? err(429, 'TooManyRequests', 'Too many requests. Please retry after the time in the Retry-After header.', fault.retryAfter === null ? undefined : { 'Retry-After': fault.retryAfter ?? '1' })
            : fault.status === 401
              ? err(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.')
              : fault.status === 404
                ? err(404, 'ResourceNotFound', 'The resource was not found.')
                : err(fault.status, 'ServiceUnavailable', 'The service is temporarily unavailable.', fault.retryAfter ? { 'Retry-After': fault.retryAfter } : undefined);
      } else {
        const caller = authenticate(st, authorization);
        answer = 'error' in caller ? caller.error : route(st, method, itemPath, u.searchParams, r.body ?? null, caller.token);
      }
    }
    st.log.push({ method, path: itemPath, query: itemQuery, status: answer.status, viaBatch: true, hadAuthorization: !!authorization });
    const headers: Record<string, string> = { ...(answer.headers ?? {}) };
    if (answer.body !== undefined) headers['Content-Type'] = 'application/json; odata.metadata=minimal';
    const item: { id: string; status: number; headers: Record<string, string>; body?: unknown } = { id: r.id, status: answer.status, headers };
    if (answer.body !== undefined) item.body = answer.body;
    responses.push(item);
  }
  for (let i = responses.length - 1; i > 0; i--) {
    const j = Math.floor(st.random() * (i + 1));
    [responses[i], responses[j]] = [responses[j], responses[i]];
  }
  return { status: 200, body: { responses } };
}
