/**
 * Checks a source folder (main/sources/<kind>/) against the one shape every source shares:
 * the modules it must have, its error mapping under the two shared names, the helpers it takes
 * from main/sources/shared.ts instead of writing its own, and the size limits (no file over 400
 * lines, no function over 150).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

export const SOURCES_DIR = resolve(import.meta.dirname, '../../main/sources');
export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 150;
/** What main/sources/shared.ts provides: a source defines none of these itself. */
const SHARED_NAMES = ['isAbort', 'errorWords', 'sleep', 'backoffMs', 'randomOf', 'markTrackedFinished', 'andMore', 'parseRetryAfter', 'isFinal'];

export interface SourceFile {
  name: string;
  text: string;
  ast: ts.SourceFile;
}

export function sourceFiles(kind: string): SourceFile[] {
  const dir = join(SOURCES_DIR, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      return { name, text, ast: ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true) };
    });
}

const lineOf = (ast: ts.SourceFile, pos: number) => ast.getLineAndCharacterOfPosition(pos).line + 1;

/** Every function-like node with its name (or where it starts) and its length in lines. */
export function functionsOf(file: SourceFile): { name: string; lines: number }[] {
  const out: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = lineOf(file.ast, node.getStart(file.ast));
      const named = (node as ts.FunctionLikeDeclaration).name;
      out.push({ name: `${file.name}:${named ? named.getText(file.ast) : `line ${start}`}`, lines: lineOf(file.ast, node.getEnd()) - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return out;
}

/** Top-level names a file declares (functions, consts, classes). */
function declaredNames(file: SourceFile): string[] {
  const names: string[] = [];
  for (const st of file.ast.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) names.push(st.name.text);
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
  }
  return names;
}

/**
 * Functions errors.ts exports whose names say they map an error (`to…Error`, `to…Failure`), as
 * `name(type of the first parameter)`: every source maps with `toSourceError(err: unknown, …)` and
 * `toActionFailure(err: unknown, …)`, the error first.
 */
export function errorMappers(kind: string): string[] {
  const errors = sourceFiles(kind).find((f) => f.name === 'errors.ts');
  if (!errors) return [];
  return errors.ast.statements
    .filter((st): st is ts.FunctionDeclaration => ts.isFunctionDeclaration(st) && !!st.name && !!st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
    .filter((st) => /^to\w*(Error|Failure)$/.test(st.name!.text))
    .map((st) => `${st.name!.text}(${st.parameters[0]?.type?.getText(errors.ast) ?? ''})`)
    .sort();
}

/** What breaks the shape in a source folder, in words; empty when it keeps it. */
export function shapeProblems(kind: string, required: readonly string[]): string[] {
  const files = sourceFiles(kind);
  const problems: string[] = [];
  for (const name of required) if (!files.some((f) => f.name === name)) problems.push(`${kind}/${name} is missing`);
  for (const f of files) {
    const lines = f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_FILE_LINES) problems.push(`${kind}/${f.name} has ${lines} lines`);
    for (const fn of functionsOf(f)) if (fn.lines > MAX_FUNCTION_LINES) problems.push(`${kind}/${fn.name} has ${fn.lines} lines`);
    for (const n of declaredNames(f)) if (SHARED_NAMES.includes(n)) problems.push(`${kind}/${f.name} defines its own ${n}`);
    if (/\bMath\.random\b/.test(f.text)) problems.push(`${kind}/${f.name} uses Math.random instead of the injected random`);
  }
  const mappers = errorMappers(kind);
  const expected = 'toActionFailure(unknown), toSourceError(unknown)';
  if (mappers.join(', ') !== expected) problems.push(`${kind}/errors.ts maps errors with [${mappers.join(', ')}], not [${expected}]`);
  return problems;
}
