import 'reflect-metadata';
import { ConfigError, loadExecutionConfig } from '#config';
import { checkModelSettings } from '#llm';
import { runServiceProcess } from '#service-kit';
import { executionApp } from './execution.app.js';

// The execution service's own settings are checked before anything connects, so a bad one stops
// the process at once with the variable named, exactly as a bad platform setting does.
try {
  loadExecutionConfig();
  checkModelSettings();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`execution: ${err.message}\nSee the configuration table in README.md.\n`);
  process.exit(78); // EX_CONFIG
}
runServiceProcess(executionApp);
