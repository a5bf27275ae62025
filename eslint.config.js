import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'stream',
  'url',
  'util',
  'net',
  'worker_threads',
];
const pattern = (group, message) => ({ group, message });

/** `src/shared` is pure and knows no other layer. */
const sharedIsPure = [
  pattern(nodeBuiltins, 'src/shared is pure: no Node APIs.'),
  pattern(
    [
      'electron',
      'react',
      'react-dom',
      'better-sqlite3',
      'video.js',
      'konva',
      '**/main/**',
      '**/renderer/**',
      '**/preload/**',
      '**/server/**',
    ],
    'src/shared knows nothing of Electron, UI, SQL or other layers.',
  ),
];
/** The contract is built on the domain (its schemas import domain records), never the reverse. */
const belowTheContract = pattern(
  ['**/api', '**/api/**'],
  'The domain sits below the contract: define the type in src/shared/domain and let src/shared/api import it.',
);
/** Code below the contract: the domain, and the format writers and model code built on it. */
const belowTheContractFiles = [
  'src/shared/domain/**/*.ts',
  'src/shared/formats/**/*.ts',
  'src/shared/preannotation/**/*.ts',
];
const sharedTests = 'src/shared/**/*.test.ts';

const servicesStayOutOfUi = [
  pattern(['electron', 'electron/*'], 'Only src/main/electron may import electron.'),
  pattern(
    ['**/renderer/**', '**/preload/**', '**/main/electron/**'],
    'Services do not reach into UI or Electron code.',
  ),
];
/** The host, the CLI and the Electron main wire the services; the team server is another program. */
const servicesKnowNoEntryPoint = pattern(
  ['**/server', '**/server/**', '**/host', '**/host/**', '**/cli', '**/cli/**'],
  'Services are wired by the host, the CLI and the Electron main, never the reverse, and share only src/shared with the team server.',
);

/**
 * Runtime folders, as in VS Code's layering rule: who may import whom. A file gets the patterns
 * of the one entry that matches it last (flat config replaces a rule's options, it does not merge
 * them), so the entries do not overlap: a narrower folder repeats the wider folder's patterns.
 * tests/integration/importLayers.test.ts checks that each rule reports what it forbids.
 */
const layers = [
  {
    files: ['src/shared/**/*.ts'],
    ignores: [sharedTests, ...belowTheContractFiles],
    patterns: sharedIsPure,
  },
  {
    files: belowTheContractFiles,
    ignores: [sharedTests],
    patterns: [...sharedIsPure, belowTheContract],
  },
  {
    // Tests may read fixtures with Node, but still do not reach above the contract.
    files: belowTheContractFiles.map((glob) => glob.replace(/\.ts$/, '.test.ts')),
    patterns: [belowTheContract],
  },
  {
    files: ['src/main/services/**/*.ts'],
    patterns: [...servicesStayOutOfUi, servicesKnowNoEntryPoint],
  },
  {
    files: ['src/main/host/**/*.ts', 'src/main/cli/**/*.ts'],
    patterns: servicesStayOutOfUi,
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    patterns: [
      pattern(nodeBuiltins, 'The renderer runs in a browser: no Node APIs.'),
      pattern(
        ['electron', 'better-sqlite3', '**/main/**', '**/preload/**', '**/server/**'],
        'The renderer talks only to the API client.',
      ),
    ],
  },
  {
    files: ['src/preload/**/*.ts'],
    patterns: [
      pattern(
        ['**/main/**', '**/renderer/**', 'better-sqlite3'],
        'The preload exposes the contract client only.',
      ),
    ],
  },
  {
    // Node code both programs run on contributors' files (probe, strip, batch layout): the
    // workstation's services and the team server import it, so it imports neither.
    files: ['src/node/**/*.ts'],
    patterns: [
      pattern(
        [
          'electron',
          'electron/*',
          'better-sqlite3',
          'react',
          'react-dom',
          'konva',
          'video.js',
          '**/main/**',
          '**/renderer/**',
          '**/preload/**',
          '**/server',
          '**/server/**',
        ],
        'src/node is shared by the workstation and the server: it imports only src/shared.',
      ),
    ],
  },
  {
    files: ['src/server/**/*.ts'],
    patterns: [
      pattern(
        [
          'electron',
          'better-sqlite3',
          'react',
          'react-dom',
          'konva',
          'video.js',
          '**/main/**',
          '**/renderer/**',
          '**/preload/**',
        ],
        'The server shares only src/shared with the app (and speaks SQL through pg/PGlite).',
      ),
    ],
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'out',
      'dist',
      'coverage',
      'test-results',
      'playwright-report',
      'tests/fixtures/generated',
      'bench/work',
      'bin/**',
      'scripts/**',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json'],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name='only']",
          message: 'No focused tests.',
        },
        {
          selector: 'CatchClause[body.body.length=0]',
          message: 'Nothing swallowed: handle or rethrow.',
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
    languageOptions: { globals: { ...globals.browser } },
  },
  ...layers.map(({ files, ignores, patterns }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
  prettier,
);
