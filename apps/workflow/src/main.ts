import 'reflect-metadata';
import { ConfigError, loadWorkflowConfig } from '#config';
import { runServiceProcess } from '#service-kit';
import { workflowApp } from './workflow.app.js';

// The service's own settings are checked before anything connects, so a bad one stops the process
// at once with the variable named, exactly as a bad platform setting does.
try {
  loadWorkflowConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`workflow: ${err.message}\nSee the configuration table in README.md.\n`);
  process.exit(78); // EX_CONFIG
}
runServiceProcess(workflowApp);
