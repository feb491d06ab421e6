/**
 * Argument parsing for `pqm`: global options, then a command (one or two words), its positional
 * arguments and its options. Small on purpose: every command states exactly which options it takes,
 * and anything else is a usage error that names the offending argument.
 */
import { AppFailure } from '../../preload/contract/model';

/** A usage error: exit code 2, with the command whose help to point at. */
export class UsageError extends AppFailure {
  constructor(
    message: string,
    readonly command: string | null = null,
  ) {
    super('invalid-input', message);
    this.name = 'UsageError';
  }
}

export type OptionKind = 'flag' | 'value';

export interface CommandSpec {
  /** "jobs", "history export", "settings validate" */
  name: string;
  /** e.g. "<sourceId> <id>" */
  usage: string;
  summary: string;
  /** Longer help: what it does, output shape, exit codes. */
  description: string;
  positionals: { name: string; required: boolean }[];
  options: Record<string, { kind: OptionKind; help: string; values?: readonly string[] }>;
}

export interface ParsedArgs {
  /** --config value (also accepted after the command) */
  config?: string;
  help: boolean;
  version: boolean;
  verbose: boolean;
  command: CommandSpec | null;
  /** The first word of sub-commands (`settings`) given without one, with --help: their list is asked for. */
  family?: string;
  positionals: string[];
  options: Record<string, string | true>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, { kind: OptionKind; help: string }> = {
  '--config': { kind: 'value', help: 'the settings file (default: PQM_CONFIG, else the app\'s settings.json)' },
  '--help': { kind: 'flag', help: 'show help for the command' },
  '--verbose': { kind: 'flag', help: 'also write log lines (secrets removed) to stderr' },
};

/** Splits `--name=value` into its two parts. */
function splitEq(arg: string): [string, string | undefined] {
  const i = arg.indexOf('=');
  return arg.startsWith('--') && i > 2 ? [arg.slice(0, i), arg.slice(i + 1)] : [arg, undefined];
}

export function parseArgs(argv: readonly string[], commands: readonly CommandSpec[]): ParsedArgs {
  const out: ParsedArgs = { help: false, version: false, verbose: false, command: null, positionals: [], options: {} };
  const words: string[] = [];
  let i = 0;
  let onlyPositionals = false;

  const takeValue = (name: string, inline: string | undefined): string => {
    if (inline !== undefined) {
      if (inline === '') throw new UsageError(`${name} needs a value.`, out.command?.name ?? null);
      return inline;
    }
    const v = argv[i + 1];
    if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`${name} needs a value.`, out.command?.name ?? null);
    i++;
    return v;
  };

  for (; i < argv.length; i++) {
    const raw = argv[i];
    if (!onlyPositionals && raw === '--') {
      onlyPositionals = true;
      continue;
    }
    const [name, inline] = onlyPositionals ? [raw, undefined] : splitEq(raw);
    if (!onlyPositionals && name.startsWith('-') && name.length > 1) {
      if (name === '--config') {
        out.config = takeValue(name, inline);
        continue;
      }
      if (name === '--help' || name === '-h') {
        out.help = true;
        continue;
      }
      if (name === '--version' || name === '-V') {
        out.version = true;
        continue;
      }
      if (name === '--verbose') {
        out.verbose = true;
        continue;
      }
      if (!out.command) {
        throw new UsageError(`Only --config, --help, --version and --verbose go before the command; put ${name} after it (e.g. pqm jobs ${name}).`);
      }
      const spec = out.command.options[name];
      if (!spec) throw new UsageError(`${out.command.name} has no option ${name}.`, out.command.name);
      if (spec.kind === 'flag') {
        if (inline !== undefined) throw new UsageError(`${name} takes no value.`, out.command.name);
        out.options[name] = true;
      } else {
        const v = takeValue(name, inline);
        if (spec.values && !spec.values.includes(v)) throw new UsageError(`${name} must be one of ${spec.values.join(', ')}; "${v}" is not.`, out.command.name);
        out.options[name] = v;
      }
      continue;
    }
    if (!out.command) {
      words.push(raw);
      const two = commands.find((c) => c.name === words.join(' '));
      const hasLonger = commands.some((c) => c.name.startsWith(`${words.join(' ')} `));
      if (two && !(hasLonger && argv[i + 1] !== undefined && commands.some((c) => c.name === `${words.join(' ')} ${argv[i + 1]}`))) {
        out.command = two;
        words.length = 0;
        continue;
      }
      if (hasLonger) continue;
      throw new UsageError(`"${words.join(' ')}" is not a pqm command. See: pqm --help`);
    }
    out.positionals.push(raw);
  }
  if (words.length && !out.command) {
    const family = words.join(' ');
    if (out.help) {
      out.family = family;
      return out;
    }
    throw new UsageError(`"${family}" needs a sub-command: ${commands.filter((c) => c.name.startsWith(`${family} `)).map((c) => c.name).join(', ')}.`, family);
  }
  if (out.command && !out.help) {
    const max = out.command.positionals.length;
    const min = out.command.positionals.filter((p) => p.required).length;
    if (out.positionals.length < min) {
      const missing = out.command.positionals.slice(out.positionals.length).filter((p) => p.required).map((p) => p.name);
      throw new UsageError(`${out.command.name} needs ${missing.join(' and ')}. Usage: pqm ${out.command.name} ${out.command.usage}`, out.command.name);
    }
    if (out.positionals.length > max) {
      throw new UsageError(`${out.command.name} does not take "${out.positionals[max]}". Usage: pqm ${out.command.name} ${out.command.usage}`.trimEnd(), out.command.name);
    }
  }
  return out;
}

/** The help text of one command. */
export function commandHelp(c: CommandSpec): string {
  const lines = [`Usage: pqm [--config <file>] ${c.name}${c.usage ? ` ${c.usage}` : ''}`, '', c.summary, ''];
  if (c.description) lines.push(c.description, '');
  const opts = Object.entries(c.options);
  lines.push('Options:');
  for (const [name, o] of opts) lines.push(`  ${`${name}${o.kind === 'value' ? ' <value>' : ''}`.padEnd(22)} ${o.help}`);
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) lines.push(`  ${`${name}${o.kind === 'value' ? ' <file>' : ''}`.padEnd(22)} ${o.help}`);
  return `${lines.join('\n')}\n`;
}
