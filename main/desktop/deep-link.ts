/**
 * Deep links: `print-queue-monitor://track?source=<sourceId>&id=<id>[&kind=html|pdf]` and
 * `print-queue-monitor://open?key=<key>`. Any web page can launch these, so they are parsed as
 * hostile input: they never carry a host, URL or secret, and anything unexpected is refused with
 * a message saying what was wrong.
 */
import { ExternalJobId, TrackLabelText } from '../../preload/contract/contract';
import { JobKey, SOURCE_ID_PATTERN } from '../../preload/contract/model';
import { PROTOCOL } from './app-identity';

export type DeepLink = { action: 'track'; sourceId: string; id: string; kind?: 'html' | 'pdf'; title?: string; printer?: string } | { action: 'open'; key: string };
export type DeepLinkResult = { ok: true; link: DeepLink } | { ok: false; message: string };

export const MAX_DEEP_LINK_LENGTH = 1024;
const PARAMS: Record<DeepLink['action'], { required: string[]; optional: string[] }> = {
  track: { required: ['source', 'id'], optional: ['kind', 'title', 'printer'] },
  open: { required: ['key'], optional: [] },
};

const refuse = (message: string): DeepLinkResult => ({ ok: false, message: `The link was refused: ${message}` });

/** True when an argument looks like one of our links (case-insensitive scheme). */
export function isDeepLinkArg(arg: string): boolean {
  return arg.slice(0, PROTOCOL.length + 1).toLowerCase() === `${PROTOCOL}:`;
}

/**
 * Parses a deep link. `isKnownSource` says whether a source id is configured; a link naming any
 * other source is refused.
 */
export function parseDeepLink(raw: unknown, isKnownSource: (id: string) => boolean): DeepLinkResult {
  if (typeof raw !== 'string' || raw.length === 0) return refuse('it is empty.');
  if (raw.length > MAX_DEEP_LINK_LENGTH) return refuse(`it is longer than ${MAX_DEEP_LINK_LENGTH} characters.`);
  if (/[\u0000-\u0020\u007f-\u009f]/.test(raw)) return refuse('it contains spaces or control characters.');
  if (!isDeepLinkArg(raw)) return refuse(`it is not a ${PROTOCOL}: link.`);
  // Encoded control characters and backslashes are never legitimate: refuse them before anything
  // decodes them. (An encoded slash may be: a Graph job key and job locator hold one; the job id
  // and key rules below say where.)
  if (/%(?:[01][0-9a-f]|7f|5c|c2%[89][0-9a-f])/i.test(raw)) return refuse('it contains an encoded control character or backslash.');
  const rest = raw.slice(PROTOCOL.length + 1);
  if (!rest.startsWith('//')) return refuse(`it must start with ${PROTOCOL}://.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('it is not a valid link.');
  }
  if (url.username || url.password || raw.includes('@')) return refuse('it carries a user name or password.');
  if (url.port) return refuse('it names a port.');
  if (url.hash) return refuse('it has a fragment (#...).');
  const action = url.hostname.toLowerCase();
  if (action !== 'track' && action !== 'open') return refuse(`"${action.slice(0, 40)}" is not an action (track or open).`);
  // Windows may append a "/" after the action; any other path is an extra host or path.
  if (url.pathname !== '' && url.pathname !== '/') return refuse('it has a path after the action.');

  const values = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    if (values.has(name)) return refuse(`the parameter "${name.slice(0, 40)}" appears twice.`);
    values.set(name, value);
  }
  const spec = PARAMS[action];
  for (const name of values.keys()) {
    if (!spec.required.includes(name) && !spec.optional.includes(name)) return refuse(`"${name.slice(0, 40)}" is not a parameter of ${action} links.`);
  }
  for (const name of spec.required) {
    if (!values.get(name)) return refuse(`the parameter "${name}" is missing.`);
  }
  for (const [name, value] of values) {
    if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return refuse(`the parameter "${name}" contains a control character.`);
    if (/[a-z][a-z0-9+.-]*:\/\//i.test(value)) return refuse(`the parameter "${name}" is a URL; links never carry URLs.`);
  }

  if (action === 'track') {
    const sourceId = values.get('source')!;
    if (!SOURCE_ID_PATTERN.test(sourceId)) return refuse('the source id is not valid (1-32 characters: a-z, 0-9 and "-").');
    if (!isKnownSource(sourceId)) return refuse(`there is no source "${sourceId}" in the settings.`);
    const id = ExternalJobId.safeParse(values.get('id'));
    if (!id.success) return refuse(`the job id is not valid: ${id.error.issues[0]?.message ?? 'invalid'}.`);
    const kind = values.get('kind');
    if (kind !== undefined && kind !== 'html' && kind !== 'pdf') return refuse('kind must be html or pdf.');
    const link: DeepLink = { action, sourceId, id: id.data };
    if (kind) link.kind = kind;
    for (const name of ['title', 'printer'] as const) {
      const value = values.get(name);
      if (value === undefined) continue;
      const text = TrackLabelText.safeParse(value);
      if (!text.success) return refuse(`the ${name} is not valid: ${text.error.issues[0]?.message ?? 'invalid'}.`);
      link[name] = text.data;
    }
    return { ok: true, link };
  }
  const key = values.get('key')!;
  const parsed = JobKey.safeParse(key);
  if (!parsed.success) return refuse('the job key is not valid (it is "<sourceId>:<id>").');
  const sourceId = key.slice(0, key.indexOf(':'));
  if (!isKnownSource(sourceId)) return refuse(`there is no source "${sourceId}" in the settings.`);
  return { ok: true, link: { action, key } };
}
