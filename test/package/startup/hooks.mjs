/** Resolves `electron`, from any ESM importer, to the recording stand-in. */
const STAND_IN = new URL('./electron-stand-in.mjs', import.meta.url).href;
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: STAND_IN, shortCircuit: true };
  return next(specifier, context);
}
