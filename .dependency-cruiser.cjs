/**
 * The architecture, enforced: apps talk to each other only through libs/contracts subjects over
 * the bus, never by importing each other's code.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-app-imports-another-app',
      comment: 'An app reaches another app only over the bus, through libs/contracts.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-imports-an-app',
      comment: 'Libraries are shared by every app, so they cannot depend on one.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(apps|standalone|scripts)/' },
    },
    {
      name: 'no-reaching-around-a-lib-entry',
      comment: 'Import a library as #name (its index), never a file inside it: contracts and their validation live behind one door.',
      severity: 'error',
      from: { path: '^(apps|libs|migrations|standalone|scripts|test)/', pathNot: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'no-app-uses-another-apps-migrations',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^migrations/', pathNot: '^migrations/$1/' },
    },
    {
      name: 'migrations-only-use-libs',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { path: '^(apps|standalone|scripts|test)/' },
    },
    {
      name: 'contracts-stand-alone',
      comment: 'libs/contracts is what both sides of every call import: it depends on no other lib of ours.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^libs/', pathNot: '^libs/contracts/' },
    },
    {
      name: 'apps-use-the-bus-through-libs-messaging',
      comment: 'Transports, envelopes, timeouts and error mapping live in libs/messaging; an app using NATS directly would bypass them.',
      severity: 'error',
      from: { path: '^apps/' },
      to: { path: 'node_modules/(@nats-io/|@nestjs/microservices/)' },
    },
    {
      name: 'features-meet-through-module-or-service',
      comment:
        'A feature folder (apps/<app>/src/<feature>/) uses another feature only through its module (to import it) and its service (to inject it); ' +
        'its repository, entities, mappers and helpers are its own. The gateway\'s shared HTTP plumbing lives in apps/gateway/src/http/.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/src/([^/]+)/' },
      to: {
        path: '^apps/$1/src/[^/]+/',
        pathNot: ['^apps/$1/src/$2/', '^apps/$1/src/[^/]+/[^/]+\\.(module|service)\\.ts$', '^apps/gateway/src/http/'],
      },
    },
    {
      name: 'gateway-http-plumbing-knows-no-feature',
      comment: 'apps/gateway/src/http/ is what every route shares (guards, the validation pipe, problem+json): it depends on no route feature.',
      severity: 'error',
      from: { path: '^apps/gateway/src/http/' },
      to: { path: '^apps/gateway/src/[^/]+/', pathNot: '^apps/gateway/src/http/' },
    },
    {
      name: 'handlers-call-services',
      comment: 'Handlers and controllers validate, delegate to a service and map; only services reach repositories.',
      severity: 'error',
      from: { path: '\\.(handler|controller)\\.ts$' },
      to: { path: '\\.repository\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|bench)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
    },
  },
};
