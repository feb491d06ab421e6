import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const US_CANCELED = 'Write "canceled" and "canceling" (US English), as every other message of the app does.';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { paths: [] }],
      // Input validation checks for control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // The window sees only the bridge: it imports nothing of main, of Node or of Electron, and of the
    // files every process shares only preload/contract/ (never the preload itself).
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['axios', 'electron', 'electron-*', 'node:*', 'ws'], message: 'The window reaches the core only through the bridge.' },
            {
              regex: '^(\\.\\./)+(main|test|bench|build|bin|node_modules|preload(?!/contract/))(/|$)',
              message: 'The window may import, outside renderer/, only the shared contract in preload/contract/.',
            },
          ],
        },
      ],
    },
  },
  {
    // What the app says is in US English, as the state words are ("Canceled"): one spelling in
    // every message of main, the contract and the window.
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'Literal[value=/[Cc]ancell(ed|ing)/]', message: US_CANCELED },
        { selector: 'TemplateElement[value.raw=/[Cc]ancell(ed|ing)/]', message: US_CANCELED },
        { selector: 'JSXText[value=/[Cc]ancell(ed|ing)/]', message: US_CANCELED },
      ],
    },
  },
  {
    // Electron lives in the thin shell: the top-level files of main/ and the sandboxed preload.
    // Everything else is plain TypeScript that runs (and is tested) in Node.
    files: ['main/*/**/*.ts', 'preload/contract/**/*.ts', 'bench/**/*.ts', 'bin/**/*.{js,ts}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', 'electron-*', '@electron/*'], message: 'Only the thin shell files (main/*.ts, preload/index.ts) import Electron.' }] },
      ],
    },
  },
);
