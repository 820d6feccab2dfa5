import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '.bench-baseline/**', '**/dist-types/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', fetch: 'readonly', Buffer: 'readonly' } },
    rules: {
      // `_name` marks a value taken out on purpose (e.g. a viewer-specific field left out of an event).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The web app's service worker is plain JavaScript in the worker's scope.
    files: ['gui/public/sw.js'],
    languageOptions: { globals: { self: 'readonly', caches: 'readonly', fetch: 'readonly', Response: 'readonly', URL: 'readonly' } },
  },
  // The desktop app's stand-in renderer runs in a browser page.
  { files: ['desktop/renderer-placeholder/**/*.js'], languageOptions: { globals: { window: 'readonly', document: 'readonly' } } },
)
