// The linter as upstream's packages configure it: eslint with typescript-eslint's
// recommended rules; `any` is allowed where upstream's own API hands out `any`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'lib/',
      'node_modules/',
      'tour_kernel_extension/labextension/',
      'tour_kernel_extension/tour-service-worker.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      eqeqeq: 'error',
      curly: 'error',
    },
  },
  {
    files: ['**/*.cjs', 'scripts/**', 'test/**'],
    languageOptions: { globals: { ...globals.node } },
  },
);
