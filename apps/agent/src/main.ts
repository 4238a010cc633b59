import 'reflect-metadata';
import { ConfigError, loadAgentConfig } from '#config';
import { runServiceProcess } from '#service-kit';
import { agentApp } from './agent.app.js';

// The agent's own settings are checked before anything connects, so a bad one stops the process
// at once with the variable named, exactly as a bad platform setting does.
try {
  loadAgentConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`agent: ${err.message}\nSee the configuration table in README.md.\n`);
  process.exit(78); // EX_CONFIG
}
runServiceProcess(agentApp);
