// Lint: the architecture's import boundaries (each context imports only `shared/` and itself; the
// pure core imports no browser, storage or SDK code) and the rules that catch this codebase's real
// bugs (promises nobody awaits or that land where a callback's result is ignored). `npm test` runs it.
import tseslint from 'typescript-eslint';

const CONTEXTS = ['background', 'content', 'popup', 'approval'];

/** Import patterns that leave `context` for another context folder. */
function otherContexts(context) {
  return CONTEXTS.filter((other) => other !== context).flatMap((other) => [`**/${other}`, `**/${other}/**`]);
}

function boundary(files, patterns, message) {
  const restriction = { group: patterns, message };
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [restriction] }],
      // Dynamic imports and re-exports would get round the rule above: none are needed in these folders.
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'No dynamic imports in src/: import statically so the boundary lint sees it.' }],
    },
  };
}

/** Modules the pure core must not reach: browser APIs, storage, the SDKs. */
const IMPURE = ['webextension-polyfill', 'idb', 'matrix-js-sdk', 'matrix-js-sdk/**', 'matrix-widget-api', '@matrix-org/**', 'preact', 'preact/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'artifacts/**', 'test-results/**', '**/*.js', '**/*.mjs', 'test/fixtures/lint/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-asserted-optional-chain': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Tests and tools cast at the browser and JSON edges on purpose (the value is checked by the test).
    files: ['test/**', 'bench/**', 'demo/**'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  ...CONTEXTS.map((context) =>
    boundary([`src/${context}/**/*.ts`, `src/${context}/**/*.tsx`], otherContexts(context), `src/${context} may import only src/shared and itself.`),
  ),
  boundary(['src/shared/**/*.ts', 'src/shared/**/*.tsx'], CONTEXTS.flatMap((context) => [`**/${context}`, `**/${context}/**`]), 'src/shared imports no context folder.'),
  {
    files: ['src/shared/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: CONTEXTS.flatMap((context) => [`**/${context}`, `**/${context}/**`]), message: 'src/shared imports no context folder.' },
            { group: [...IMPURE, '../protocol/**', '../ui/**', '../log'], message: 'The core is pure: no browser, storage, SDK or UI code.' },
          ],
        },
      ],
    },
  },
);
