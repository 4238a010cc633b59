import { createRootLogger, type LogLevel } from '#observability';

// Services started inside a test process log like real ones; keep Jest's output readable unless asked.
createRootLogger((process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'silent');
