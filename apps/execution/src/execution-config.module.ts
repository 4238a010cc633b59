import { Global, Module } from '@nestjs/common';
import { loadExecutionConfig } from '#config';

export const EXECUTION_CONFIG = Symbol('EXECUTION_CONFIG');

/**
 * The execution service's own settings, read from the environment when the service starts: a bad
 * value makes start-up fail with a message naming the variable (main.ts checks it even earlier).
 */
@Global()
@Module({ providers: [{ provide: EXECUTION_CONFIG, useFactory: () => loadExecutionConfig() }], exports: [EXECUTION_CONFIG] })
export class ExecutionConfigModule {}
