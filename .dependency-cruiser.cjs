// The layers of docs/ARCHITECTURE.md as rules: imports point only inward. `npm run lint` runs this
// over engine/, main/, preload/ and renderer/ (tests and tools may reach into anything).
//
// Each layer lists the folders of ours it may import; everything of ours outside that list is an
// error. npm packages are free except where a rule below says otherwise (Electron, SQLite, ...).

/** Our own code: the rules below only police imports between these. */
const OURS = '^(engine|main|preload|renderer)/';

/**
 * The engine modules the renderer bundle may carry, directly or through another module: the
 * vocabulary, the contract and the wire formats, and the pure indicators the charts run. Not the
 * analyses' SQL, the store, the sources or the bus.
 */
const RENDERER_REACH = [
  'engine/base/',
  'engine/domain/',
  'engine/stream/indicators/',
  'engine/analyses/analysis\\.ts$',
  'engine/analyses/catalog\\.ts$',
  'engine/api/contract\\.ts$',
  'engine/api/column-frame\\.ts$',
  'engine/api/wire\\.ts$',
];

/** `from` may import only the folders (regex fragments after the repository root) in `allowed`. */
function layer(name, from, allowed, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: { path: OURS, pathNot: `^(${allowed.join('|')})` },
  };
}

module.exports = {
  forbidden: [
    layer(
      'base-is-standalone',
      '^engine/base/',
      ['engine/base/'],
      'engine/base holds utilities with no domain knowledge: it imports nothing of ours.',
    ),
    layer(
      'domain-is-the-core',
      '^engine/domain/',
      ['engine/domain/'],
      'engine/domain is the vocabulary every layer shares: it imports nothing else of ours.',
    ),
    layer(
      'indicators-are-pure',
      '^engine/stream/indicators/',
      ['engine/stream/indicators/', 'engine/domain/', 'engine/base/'],
      'The indicators run in the renderer too: vocabulary and utilities only.',
    ),
    layer(
      'anomalies-use-indicators-only',
      '^engine/stream/anomalies/',
      ['engine/stream/anomalies/', 'engine/stream/indicators/', 'engine/domain/', 'engine/base/'],
      'The anomaly detector is a pure computation over candles; storing anomalies is the app\u2019s job.',
    ),
    layer(
      'store-knows-only-the-domain',
      '^engine/store/',
      ['engine/store/', 'engine/domain/', 'engine/base/'],
      'The store persists domain values; the rows it keeps are typed in engine/domain, not by the layers that produce them.',
    ),
    layer(
      'bus-knows-only-the-domain',
      '^engine/bus/',
      ['engine/bus/', 'engine/domain/', 'engine/base/'],
      'The bus carries domain values between producer and consumer; what it shares with the store (dead letters, a refused batch) lives in engine/domain.',
    ),
    layer(
      'sources-know-only-the-domain',
      '^engine/sources/',
      ['engine/sources/', 'engine/domain/', 'engine/base/'],
      'A source produces domain values; what it needs of the store it declares as an interface of its own (ports), which the app fills.',
    ),
    layer(
      'stream-feeds-the-store',
      '^engine/stream/[^/]+$',
      ['engine/stream/', 'engine/store/', 'engine/bus/', 'engine/domain/', 'engine/base/'],
      'The tick processor consumes the bus and commits to the store in one transaction.',
    ),
    layer(
      'sinks-mirror-from-the-store',
      '^engine/sinks/',
      ['engine/sinks/', 'engine/store/', 'engine/domain/', 'engine/base/'],
      'A sink mirrors committed results; it may keep its spill in the store.',
    ),
    layer(
      'alerts-judge-domain-values',
      '^engine/alerts/',
      ['engine/alerts/', 'engine/domain/', 'engine/base/'],
      'The alert evaluator is a pure judgement of ticks, candles and anomalies.',
    ),
    layer(
      'analyses-query-the-store',
      '^engine/analyses/',
      ['engine/analyses/', 'engine/store/', 'engine/stream/indicators/', 'engine/domain/', 'engine/base/'],
      'An analysis is a query over the store.',
    ),
    layer(
      'analysis-definitions-are-pure',
      '^engine/analyses/(analysis|catalog)\\.ts$',
      ['engine/analyses/(analysis|catalog)\\.ts$', 'engine/domain/', 'engine/base/'],
      'Names, columns and parameters of the analyses reach the renderer through the contract; their SQL must not.',
    ),
    layer(
      'export-renders-analyses',
      '^engine/export/',
      ['engine/export/', 'engine/analyses/', 'engine/store/', 'engine/domain/', 'engine/base/'],
      'The CSV export renders an analysis.',
    ),
    layer(
      'jobs-run-exports-and-maintenance',
      '^engine/jobs/',
      ['engine/jobs/', 'engine/export/', 'engine/analyses/', 'engine/store/', 'engine/domain/', 'engine/base/'],
      'A scheduled job renders exports and maintains the store; what it needs of the app (a backfill) it declares as a function the app passes.',
    ),
    layer(
      'api-is-the-contract',
      '^engine/api/',
      [
        'engine/api/',
        'engine/analyses/(analysis|catalog)\\.ts$',
        'engine/stream/indicators/',
        'engine/domain/',
        'engine/base/',
      ],
      'engine/api is the contract, its dispatcher, the event hub and the wire formats: it does not know the app behind it (app/handlers.ts binds the two).',
    ),
    {
      name: 'engine-has-no-host',
      comment: 'The engine is plain TypeScript: no Electron, no host, no UI.',
      severity: 'error',
      from: { path: '^engine/' },
      to: { path: ['^(main|preload|renderer)/', '^node_modules/electron/'] },
    },
    layer(
      'hosts-use-the-engine',
      '^main/',
      ['main/', 'engine/', 'preload/channels\\.ts$'],
      'A host builds the engine and serves the contract; it shares only the IPC channel names with the preload.',
    ),
    layer(
      'preload-exposes-the-contract',
      '^preload/',
      ['preload/', 'engine/api/contract\\.ts$'],
      'The preload exposes call() and onEvent() and nothing else.',
    ),
    {
      name: 'renderer-talks-to-the-contract',
      comment:
        'The renderer imports only itself and the engine\u2019s pure modules (the vocabulary, the contract, the indicators), directly or through them.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: OURS, pathNot: `^(renderer/|${RENDERER_REACH.join('|')})`, reachable: true },
    },
    {
      name: 'renderer-has-no-node',
      comment: 'The renderer is a web page: no Node built-ins, no Electron, no native modules.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: {
        path: ['^node_modules/(electron|better-sqlite3|kafkajs|yahoo-finance2|ws|sirv)/'],
      },
    },
    {
      name: 'renderer-has-no-node-builtins',
      comment: 'The renderer is a web page: no Node built-ins.',
      severity: 'error',
      from: { path: '^renderer/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: split out what both need.',
      severity: 'error',
      from: { path: OURS },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing fails at run time.',
      severity: 'error',
      from: { path: OURS },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a layer that names another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // node_modules is a symlink in worktrees; keep its paths as written, so the rules above match.
    preserveSymlinks: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^renderer/vite\\.config\\.ts$'] },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
