import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no HTTP client,
// no simulator. Everything that touches the network belongs in activities/.
const workflowImportBans = {
  patterns: [
    { group: ['node:*'], message: 'Workflows must stay deterministic: move I/O into an activity.' },
    { group: ['ky', 'undici', '**/simulator/**', '**/rancher/client*', '**/rancher/http*', '**/connections/**', '**/activities/index*', '../activities/*.js'], allowTypeImports: true, message: 'Workflows import activities and I/O code only as types.' },
  ],
  paths: ['fs', 'fs/promises', 'http', 'https', 'net', 'tls', 'dns', 'child_process', 'os', 'path', 'crypto', 'process'].map((name) => ({
    name,
    message: 'Workflows must stay deterministic: move I/O into an activity.',
  })),
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.state/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowImportBans] },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
