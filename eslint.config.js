import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Tree walks start from `this` (`for (let c = this; c; c = c.parent)`).
      '@typescript-eslint/no-this-alias': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'use a seeded stream' }],
    },
  },
  {
    // The simulated kernel is deterministic: no wall clock in its layers.
    files: ['src/model/**/*.ts', 'src/sched/**/*.ts', 'src/sim/**/*.ts', 'src/core/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'use a seeded stream' },
        { object: 'Date', property: 'now', message: 'the simulated kernel has its own clock' },
        { object: 'performance', property: 'now', message: 'the simulated kernel has its own clock' }],
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:fs', 'node:fs/*', 'fs', 'fs/*'], message: 'no I/O below host/' },
        { group: ['../host/*', '../api/*', '../cli/*'], message: 'layers import downward only' }] }],
    },
  },
);
