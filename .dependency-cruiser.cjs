// Architecture rules, checked by `npm test` (scripts/test.mjs runs `depcruise`). Each rule names
// the boundary it keeps; a violation fails the run with the importing and imported file.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-app-imports-another-app',
      comment: 'Apps talk through Kafka topics and libs/contracts, never through each other’s code.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-imports-an-app',
      comment: 'Libraries serve apps; an app’s code is never a library’s dependency.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-production-code-imports-test-code',
      comment: 'Test support (in-memory stores, fakes, factories) lives under test/ and stays out of builds.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'no-production-code-imports-scripts',
      comment:
        'scripts/ holds developer entry points (eval, chaos, the stack); code apps and libs share ' +
        'with them lives in a lib (the evaluation set and its judging in libs/evaluation).',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'judging-shares-no-code-with-the-recommender',
      comment:
        'libs/evaluation/src/metrics.ts judges recommendations; sharing code with the recommender ' +
        '(its constraint checks included) would let a bug there hide a failure here.',
      severity: 'error',
      from: { path: '^libs/evaluation/src/metrics\\.ts$' },
      to: { path: '^(libs|apps)/' },
    },
    {
      name: 'task-domain-has-no-io',
      comment:
        'apps/gateway/src/task is the task domain (state, statuses, reducer, fold): pure code that ' +
        'the read model, submission and webhooks depend on, never the other way round.',
      severity: 'error',
      from: { path: '^apps/gateway/src/task/', pathNot: '\\.spec\\.ts$' },
      to: {
        path: [
          '^apps/gateway/src/(?!task/)',
          '^libs/(kafka|platform|llm|catalogue|agent|config)/',
          '(^|/)node_modules/(mongoose|mongodb|kafkajs|@nestjs|openai|fastify)/',
          '^(node:)?(fs|net|http|https|http2|child_process|dgram|dns|tls)(/|$)',
        ],
      },
    },
    {
      name: 'no-cycles',
      comment: 'A cycle means two folders (or files) cannot be read, tested or moved apart.',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Feature folders depend one way: a reader follows a task through one folder per stage.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(apps|libs)/' },
      to: { circular: true },
    },
  ],
  options: {
    // Test support is reached (from specs, and from production code only to be refused) but not
    // followed: it imports the code it fakes, and those imports are no production dependency.
    doNotFollow: { path: ['node_modules', '^test/'] },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.json'],
    },
  },
};
