/** The Graph simulator's v1.0 routing table: the first route whose method and path match answers. */
import { jobAction, jobList, oneJob } from './jobs';
import { type Answer, err, type SimToken } from './model';
import { listPlaces, me, onePlace } from './places';
import type { SimState } from './state';
import { createUploadSession } from './uploads';

/** A v1.0 request as the routes see it, after authentication. */
export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  token: SimToken;
}

interface Route {
  /** null: any method (the route answers 405 itself). */
  method: string | null;
  re: RegExp;
  handle: (st: SimState, req: RouteRequest, m: RegExpMatchArray) => Answer;
}

const ROUTES: Route[] = [
  { method: 'GET', re: /^\/print\/(printers|shares)$/, handle: listPlaces },
  { method: null, re: /^\/me$/, handle: me },
  { method: 'GET', re: /^\/print\/(printers|shares)\/([^/]+)$/, handle: onePlace },
  { method: null, re: /^\/print\/(printers|shares)\/([^/]+)\/jobs$/, handle: jobList },
  { method: null, re: /^\/print\/(printers|shares)\/([^/]+)\/jobs\/([^/]+)$/, handle: oneJob },
  { method: 'POST', re: /^\/print\/(printers|shares)\/([^/]+)\/jobs\/([^/]+)\/(cancel|abort|redirect|start)$/, handle: jobAction },
  { method: null, re: /^\/print\/(printers|shares)\/([^/]+)\/jobs\/([^/]+)\/documents\/([^/]+)\/createUploadSession$/, handle: createUploadSession },
];

export function route(st: SimState, method: string, path: string, query: URLSearchParams, body: unknown, token: SimToken): Answer {
  for (const r of ROUTES) {
    if (r.method !== null && r.method !== method) continue;
    const m = path.match(r.re);
    if (m) return r.handle(st, { method, path, query, body, token }, m);
  }
  return err(400, 'BadRequest', `Resource not found for the segment '${path.split('/').filter(Boolean).pop() ?? ''}'.`);
}
