// ESLint for the whole repository: @eslint/js and typescript-eslint's recommended rules (not the
// type-checked set: `npm run typecheck` already runs the compiler, and type-aware linting is slow),
// and the rules of hooks for the renderer. `npm run lint` runs it with --max-warnings 0.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** An eslint-disable comment must say why, after `--`: a silenced rule is a decision to explain. */
const disableNeedsReason = {
  meta: {
    type: 'suggestion',
    schema: [],
    messages: { missing: 'Say why this rule is off here: `eslint-disable… rule -- the reason`.' },
  },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const text = comment.value.trim();
          if (/^eslint-disable(-next-line|-line)?(\s|$)/.test(text) && !/\s--\s+\S/.test(text)) {
            context.report({ loc: comment.loc, messageId: 'missing' });
          }
        }
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'test-results/', 'coverage/', '.cache/', 'tools/kafka/target/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: {
      // An eslint-disable comment must name a rule that fires there, and say why (below).
      reportUnusedDisableDirectives: 'error',
    },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    plugins: { local: { rules: { 'disable-needs-reason': disableNeedsReason } } },
    rules: {
      'local/disable-needs-reason': 'error',
      // Unused names are errors, except the ones written to be ignored: `_x`, and the rest of a
      // destructuring (`const { a, ...rest } = o` is how an object loses a field here).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      // A missing dependency is a stale closure: an error, not a hint.
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Tests and benchmarks drive a page in Chromium: their callbacks run in the browser.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Tests stand in for Electron's objects and read untyped YAML: there `any` says "whatever
      // the real one has", and the assertions, not the types, check it.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
);
