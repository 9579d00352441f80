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
      // async marks a function that meets a promise-returning contract (close(), Fastify plugins) without awaiting
      '@typescript-eslint/require-await': 'off',
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
      // tests read response bodies as untyped JSON on purpose: the assertions are what check their shape
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  // plain JavaScript (this file, the bundler, the bench's module hooks) is not in the TypeScript project
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
)
