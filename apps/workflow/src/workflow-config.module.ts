import { Global, Module } from '@nestjs/common';
import { loadWorkflowConfig } from '#config';

export const WORKFLOW_CONFIG = Symbol('WORKFLOW_CONFIG');

/** The workflow service's own settings, read when the service starts: a bad value stops it with a message naming the variable. */
@Global()
@Module({ providers: [{ provide: WORKFLOW_CONFIG, useFactory: () => loadWorkflowConfig() }], exports: [WORKFLOW_CONFIG] })
export class WorkflowConfigModule {}
