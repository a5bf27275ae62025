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

/** Runtime folders, as in VS Code's layering rule: who may import whom. */
const layers = [
  {
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.test.ts'],
    patterns: [
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
    ],
  },
  {
    files: ['src/main/services/**/*.ts', 'src/main/host/**/*.ts', 'src/main/cli/**/*.ts'],
    patterns: [
      pattern(['electron', 'electron/*'], 'Only src/main/electron may import electron.'),
      pattern(
        ['**/renderer/**', '**/preload/**', '**/main/electron/**'],
        'Services do not reach into UI or Electron code.',
      ),
    ],
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
