// Lint, with the architecture's boundaries as rules (ARCHITECTURE.md "Rules").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const electronOnlyInApp = {
  paths: [{ name: 'electron', message: 'Only main/app/** and main/index.ts may import electron (ARCHITECTURE.md rule 1).' }],
};

const rawIpc = {
  selector: "MemberExpression[object.name=/^(ipcMain|ipcRenderer)$/]",
  message: 'Raw ipcMain/ipcRenderer only in the IPC registry and preload (ARCHITECTURE.md rule 3).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', rawIpc],
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/app/**', 'main/index.ts'],
    rules: { 'no-restricted-imports': ['error', electronOnlyInApp] },
  },
  {
    files: ['main/app/ipc-registry.ts', 'preload/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnlyInApp.paths,
          patterns: [
            { group: ['node:*'], message: 'shared/ runs anywhere: no Node built-ins (ARCHITECTURE.md rule 2).' },
            { group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'shared/ imports nothing from main, preload or renderer.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnlyInApp.paths,
          patterns: [
            { group: ['node:*'], message: 'The renderer is a browser page: no Node built-ins.' },
            { group: ['**/main/**', '**/preload/**'], message: 'The renderer sees only the bridge and shared/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/components/**/*.tsx', 'renderer/features/**/*.tsx', 'renderer/stores/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'Components and stores see only the bridge (ARCHITECTURE.md rule 5).' },
        { name: 'localStorage', message: 'Components and stores see only the bridge.' },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.mjs', 'bench/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', performance: 'readonly', Buffer: 'readonly', AbortSignal: 'readonly' } },
  },
  {
    // CommonJS helpers the security scan runs under plain Node (Electronegativity is CommonJS).
    files: ['tests/**/*.cjs', 'bench/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly', module: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setImmediate: 'readonly', Request: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
