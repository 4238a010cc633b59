import 'reflect-metadata';
import { ConfigError, loadConversationConfig } from '#config';
import { runServiceProcess } from '#service-kit';
import { conversationApp } from './conversation.app.js';

// The service's own settings are checked before anything connects, so a bad one stops the process
// at once with the variable named, exactly as a bad platform setting does. Run on its own, the
// service may have replicas, so settings that hold for one process only are refused here.
try {
  loadConversationConfig(process.env, { ownProcess: true });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`conversation: ${err.message}\nSee the configuration table in README.md.\n`);
  process.exit(78); // EX_CONFIG
}
runServiceProcess(conversationApp);
