// ESLint's and typescript-eslint's recommended rules, the TypeScript ones with type information; layout is Prettier's.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  // build, test and bench output, and the folders kept out of git for local work
  { ignores: ['dist/', '.tap/', 'coverage/', 'bench/out/', 'scratch/', 'notes/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // the runner answers from its cache synchronously or with a promise, and callers gather both with Promise.all
      '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
      // a leading underscore marks a parameter a signature requires but the body does not use
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // tap tracks the subtests t.test() starts and waits for them itself
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: 'test', package: '@tapjs/test' }] },
      ],
    },
  },
  // plain JavaScript (this file, the bundler, the bench's module hooks) is not in the TypeScript project
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
)
