import { ConfigError, loadConfig, type PlatformConfig, requireForServiceMode } from '#config';
import { createRootLogger, describeError, rootLogger } from '#observability';

/** Loads the configuration or exits with a message naming each bad variable. */
export function loadConfigOrExit(
  processName: string,
  requirements?: { database: boolean; jwt: boolean },
  /** Service sections to validate now too (single-process mode runs every service). */
  sections: Array<(env: Record<string, string | undefined>) => unknown> = [],
): PlatformConfig {
  try {
    const config = loadConfig();
    for (const load of sections) load(process.env);
    createRootLogger(config.logLevel, { app: processName }, config.logFormat);
    if (requirements) requireForServiceMode(config, requirements, processName);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${processName}: ${err.message}\nSee the configuration table in README.md.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** Closes everything once on SIGTERM/SIGINT/SIGHUP, and exits non-zero if start-up fails. */
export function runUntilSignalled(start: () => Promise<() => Promise<void>>): void {
  const log = rootLogger();
  let stopping = false;
  start().then(
    (stop) => {
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        stop().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error(describeError(err), 'error during shutdown');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
      // A closed terminal: without this, node would end at once and leave its children running.
      process.on('SIGHUP', () => shutdown('SIGHUP'));
    },
    (err: unknown) => {
      const described = describeError(err);
      log.fatal(described, `failed to start: ${described.message}`);
      process.exit(1);
    },
  );
}
