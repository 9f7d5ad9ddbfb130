/**
 * The layering orderhub keeps (docs/architecture.md, "Layers"), checked by `npm run check:imports`
 * in every `npm test`: no import cycle anywhere, and the core imports no edge and no channel.
 */
/** Test files and helpers may reach across layers to set up what they test. */
const TESTS = '(^|/)tests/|\\.test\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules form a graph without cycles: a cycle makes load order matter and hides which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-knows-no-edge-and-no-channel',
      severity: 'error',
      comment: 'src/core is channel-agnostic and edge-agnostic: the API, CLI, webhooks, outbox, scheduler, sandbox and channels build on it, never the other way round.',
      from: { path: '^src/core/', pathNot: TESTS },
      to: { path: '^src/(?!core/)' },
    },
    {
      name: 'channels-know-no-edge',
      severity: 'error',
      comment: 'A channel folder builds on the core and the channel kit; the edges (CLI, sandbox, scheduler) mount channels, not the other way round. A channel\'s own CLI commands print with the CLI\'s table format.',
      from: { path: '^src/channels/', pathNot: TESTS },
      to: { path: '^src/(cli|sandbox|scheduler)/', pathNot: '^src/cli/format\\.ts$' },
    },
    {
      name: 'kit-knows-no-channel',
      severity: 'error',
      comment: 'The channel and simulator kits serve every channel and know none of them.',
      from: { path: '^src/channels/kit/', pathNot: TESTS },
      to: { path: '^src/channels/(?!kit/)' },
    },
    {
      name: 'console-talks-to-the-server-only-through-the-api',
      severity: 'error',
      comment: 'src/console runs in the browser and uses the public REST API only: it imports no server module (the core\'s shared types aside, see the next rule).',
      from: { path: '^src/console/' },
      to: { path: '^src/(?!console/)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'console-shares-only-core-types',
      severity: 'error',
      comment: 'The console may share the core\'s types (the canonical order), nothing of the edges or channels.',
      from: { path: '^src/console/' },
      to: { path: '^src/(?!console/|core/)' },
    },
    {
      name: 'product-code-imports-no-tests',
      severity: 'error',
      comment: 'Tests and benchmarks use the product; the product never imports them.',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '(^test/|^bench/|(^|/)tests/|\\.test\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
