import 'reflect-metadata';
import { ConfigError, loadIntegrationConfig } from '#config';
import { runServiceProcess } from '#service-kit';
import { integrationApp } from './integration.app.js';

// The integration service's own settings are checked before anything connects: a bad one stops the process naming the variable.
try {
  loadIntegrationConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`integration: ${err.message}\nSee the configuration table in README.md.\n`);
  process.exit(78); // EX_CONFIG
}
runServiceProcess(integrationApp);
