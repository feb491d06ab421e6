/**
 * The ScriptX service panel: what the service is (where, which version, its license, its
 * printers) and what can be done to it: look again, apply a license, add or remove a printer
 * connection, set the default printer, and start, stop or restart it with the configured commands
 * (service-control.ts).
 */
import type { ServiceActionRequest, ServiceInfo } from '../../../preload/contract/contract';
import { AppFailure } from '../../../preload/contract/model';
import { HttpError } from '../../http/client';
import { isAbort } from '../shared';
import { LICENSE_WARNING_DAYS, connect, describe, describeOrNull, expiresInDays, forget, storedLicense, type ScriptxContext } from './context';
import { compareVersion, formatVersion, meadcoLicenseForm, type License, type ScriptxClient } from './client';
import { LICENSE_PROBLEM, isNotFound, isRefusal, serviceWords, toActionFailure, toSourceError } from './errors';
import { canControl, controlService, needsAdmin } from './service-control';

/** MeadCo's ServiceClasses. */
const SERVICE_CLASS: Record<number, string> = { 1: 'Cloud', 2: 'On-Premise', 3: 'Windows PC' };
/** A printer's DeviceSettings.status (Windows' printer status bits): none set means ready. */
const PRINTER_READY = 0;
/** The service version that manages printer connections and the default printer. */
const PRINTERS_VERSION = '2.19';

const isUnauthorized = (err: unknown): boolean => err instanceof HttpError && err.status === 401;

/** The license's end in words when it has passed or is near, or null. */
function licenseNote(ctx: ScriptxContext, l: License): string | null {
  const days = expiresInDays(ctx, l.to);
  if (days !== null && days < 0) return `The license expired on ${l.to?.slice(0, 10)}.`;
  if (days !== null && days <= LICENSE_WARNING_DAYS) return `The license expires in ${days} day${days === 1 ? '' : 's'} (${l.to?.slice(0, 10)}).`;
  return null;
}

/** The printers the service offers, each with its device information where it can be read. */
async function listPrinters(ctx: ScriptxContext, c: ScriptxClient, info: ServiceInfo, signal: AbortSignal): Promise<void> {
  const defaults = await c.htmlPrintDefaults(2, signal);
  const names = defaults.availablePrinters ?? ctx.description?.availablePrinters ?? [];
  info.defaultPrinter = defaults.device?.printerName ?? null;
  for (const printerName of names.slice(0, 50)) {
    try {
      const dev = await c.deviceInfo(printerName, 2, signal);
      info.printers.push({
        name: printerName,
        status: dev.status === null || dev.status === undefined ? null : dev.status === PRINTER_READY ? 'ready' : `status 0x${dev.status.toString(16)}`,
        isDefault: dev.isDefault === true || printerName === info.defaultPrinter,
        isLocal: dev.isLocal ?? null,
        isNetwork: dev.isNetwork ?? null,
        location: dev.location || null,
      });
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      info.printers.push({ name: printerName, status: 'unknown (no device information)', isDefault: printerName === info.defaultPrinter, isLocal: null, isNetwork: null, location: null });
    }
  }
}

export async function serviceInfo(ctx: ScriptxContext, signal: AbortSignal, message: string | null = null): Promise<ServiceInfo> {
  const { config, platform } = ctx;
  const info: ServiceInfo = {
    sourceId: config.id,
    reachable: false,
    baseUrl: null,
    foundBy: null,
    serviceClass: null,
    version: null,
    license: null,
    printers: [],
    defaultPrinter: null,
    canControl: canControl(config.service, platform),
    needsAdmin: needsAdmin(config.service, platform),
    message,
  };
  const notes: string[] = message ? [message] : [];
  let c: ScriptxClient;
  try {
    c = await connect(ctx, signal);
    await c.ping(signal);
  } catch (err) {
    info.message = [...notes, toSourceError(err, ctx).message].join(' ');
    return info;
  }
  info.reachable = true;
  info.baseUrl = ctx.found?.baseUrl ?? null;
  info.foundBy = ctx.found?.foundBy ?? null;
  try {
    const d = await describe(ctx, c, signal);
    if (d) {
      info.serviceClass = d.serviceClass !== null && d.serviceClass !== undefined ? (SERVICE_CLASS[d.serviceClass] ?? `class ${d.serviceClass}`) : null;
      info.version = formatVersion(d.serviceVersion);
    } else if (ctx.describeRefused) notes.push('This service describes itself only with a valid license.');
  } catch (err) {
    notes.push(toSourceError(err, ctx).message);
  }
  try {
    const l = await c.licensing(signal);
    info.license = { company: l.company ?? null, validFrom: l.from ?? null, validTo: l.to ?? null, expiresInDays: expiresInDays(ctx, l.to), options: l.options ?? {}, domains: l.domains ?? [] };
    const note = licenseNote(ctx, l);
    if (note) notes.push(note);
  } catch (err) {
    notes.push(isUnauthorized(err) ? `The license was refused: ${LICENSE_PROBLEM}.` : toSourceError(err, ctx).message);
  }
  try {
    await listPrinters(ctx, c, info, signal);
  } catch (err) {
    notes.push(isUnauthorized(err) ? `The printers cannot be listed: ${LICENSE_PROBLEM}.` : `The printers cannot be listed: ${toSourceError(err, ctx).message}`);
  }
  info.message = notes.length ? notes.join(' ') : null;
  return info;
}

async function needsVersion(ctx: ScriptxContext, c: ScriptxClient, min: string, what: string, signal: AbortSignal): Promise<void> {
  const d = await describeOrNull(ctx, c, signal);
  if (d?.serviceVersion && compareVersion(d.serviceVersion, min) < 0) {
    throw new AppFailure('unsupported', `${what} needs ScriptX.Services ${min} or later (this is ${formatVersion(d.serviceVersion)}).`, { sourceId: ctx.config.id });
  }
}

async function applyLicense(ctx: ScriptxContext, req: Extract<ServiceActionRequest, { action: 'applyLicense' }>, signal: AbortSignal): Promise<ServiceInfo> {
  const sourceId = ctx.config.id;
  const typed = req.guid ?? (await storedLicense(ctx));
  const guid = typed ? (meadcoLicenseForm(typed) ?? typed) : undefined;
  if (!guid) throw new AppFailure('invalid-input', `No license GUID is stored for "${ctx.name}"; enter it to apply the license.`, { field: 'guid', sourceId });
  // "warehouse" and "securewarehouse" in any case, as MeadCo's client takes them, or a URL.
  const typedUrl = req.url.trim();
  const url = /^(secure)?warehouse$/i.test(typedUrl) ? typedUrl.toLowerCase() : typedUrl;
  if (url !== 'warehouse' && url !== 'securewarehouse' && !/^https?:\/\/[^\s]+$/i.test(url)) {
    throw new AppFailure('invalid-input', 'The license location must be "warehouse", "securewarehouse" or the https URL of an .mlf file.', { field: 'url' });
  }
  let applied: License;
  try {
    const c = await connect(ctx, signal);
    applied = await c.applyLicense({ Guid: guid, Url: url, Revision: req.revision }, signal);
  } catch (err) {
    if (isRefusal(err)) {
      const said = serviceWords(err);
      throw new AppFailure('invalid-input', `ScriptX.Services refused the license${said ? `: "${said}"` : ` (${err.status})`}.`, { field: 'guid', sourceId });
    }
    throw toActionFailure(err, ctx, 'Applying the license');
  }
  if (req.guid) await ctx.deps.secrets.set(sourceId, 'LICENSE', guid);
  ctx.description = null;
  ctx.describeRefused = false;
  return serviceInfo(ctx, signal, `The license${applied.company ? ` of ${applied.company}` : ''} was applied${applied.to ? `; it is valid until ${applied.to.slice(0, 10)}` : ''}.`);
}

/**
 * A printer request (ScriptX.Services 2.19 and later): `run` does it; a 404 is the printer not
 * found, or an older service without the endpoint (`missing` says what it lacks).
 */
async function printerRequest(ctx: ScriptxContext, p: { what: string; needs: string; missing: string; run: (c: ScriptxClient) => Promise<unknown> }, signal: AbortSignal): Promise<void> {
  const sourceId = ctx.config.id;
  try {
    const c = await connect(ctx, signal);
    await needsVersion(ctx, c, PRINTERS_VERSION, p.needs, signal);
    await p.run(c);
  } catch (err) {
    if (isNotFound(err)) {
      const said = serviceWords(err);
      if (said && /api endpoint not found/i.test(said)) throw new AppFailure('unsupported', `${p.what} failed: this ScriptX.Services does not offer ${p.missing}.`, { sourceId });
      throw new AppFailure('not-found', `${p.what} failed: ${said ?? 'the printer was not found'}.`, { field: 'printer', sourceId });
    }
    throw toActionFailure(err, ctx, p.what);
  }
}

/** Start, stop or restart with the configured commands, then tell whether the service answers. */
async function control(ctx: ScriptxContext, action: 'start' | 'stop' | 'restart', signal: AbortSignal): Promise<ServiceInfo> {
  const result = await controlService(action, ctx.config.service, {
    runner: ctx.runner,
    platform: ctx.platform,
    clock: ctx.deps.clock,
    signal,
    where: ctx.config.baseUrl ?? 'this PC',
    livenessAttempts: ctx.opts.livenessAttempts,
    livenessIntervalMs: ctx.opts.livenessIntervalMs,
    env: ctx.opts.env,
    isAlive: async () => {
      // A restarted Windows PC service may come back on another port: look for it afresh.
      forget(ctx);
      try {
        const c = await connect(ctx, signal);
        await c.ping(signal);
        return true;
      } catch {
        return false;
      }
    },
  });
  return serviceInfo(ctx, signal, result);
}

export async function serviceAction(ctx: ScriptxContext, req: ServiceActionRequest, signal: AbortSignal): Promise<ServiceInfo> {
  if (req.sourceId !== ctx.config.id) throw new AppFailure('invalid-input', `This request is for source "${req.sourceId}", not "${ctx.config.id}".`, { field: 'sourceId' });
  switch (req.action) {
    case 'refresh':
      forget(ctx);
      return serviceInfo(ctx, signal);
    case 'applyLicense':
      return applyLicense(ctx, req, signal);
    case 'addPrinter':
    case 'removePrinter': {
      const adding = req.action === 'addPrinter';
      await printerRequest(
        ctx,
        {
          what: adding ? `Adding the printer connection "${req.printer}"` : `Removing the printer connection "${req.printer}"`,
          needs: adding ? 'Adding a printer connection' : 'Removing a printer connection',
          missing: `printer connections (Windows PC ${PRINTERS_VERSION} or later is needed)`,
          run: (c) => (adding ? c.addPrinterConnection(req.printer, signal) : c.removePrinterConnection(req.printer, signal)),
        },
        signal,
      );
      return serviceInfo(ctx, signal, adding ? `The printer connection "${req.printer}" was added.` : `The printer connection "${req.printer}" was removed.`);
    }
    case 'setDefaultPrinter':
      await printerRequest(
        ctx,
        { what: `Making "${req.printer}" the default printer`, needs: 'Setting the default printer', missing: 'setting the default printer', run: (c) => c.setCurrentPrinter(req.printer, signal) },
        signal,
      );
      return serviceInfo(ctx, signal, `"${req.printer}" is now the default printer.`);
    case 'start':
    case 'stop':
    case 'restart':
      return control(ctx, req.action, signal);
  }
}
