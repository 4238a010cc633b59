export * from './test-env.js';
export * from './tcp-proxy.js';
export * from './app-process.js';
export * from './http-client.js';
export * from './factories.js';
export * from './cluster.js';
export * from './fake-oidc-provider.js';
export * from './fake-openai-server.js';
