import type { BusServiceDefinition } from '#service-kit';
import { agentApp } from '../apps/agent/src/agent.app.js';
import { conversationApp } from '../apps/conversation/src/conversation.app.js';
import { executionApp } from '../apps/execution/src/execution.app.js';
import { identityApp } from '../apps/identity/src/identity.app.js';
import { integrationApp } from '../apps/integration/src/integration.app.js';
import { workflowApp } from '../apps/workflow/src/workflow.app.js';

/** Every bus service, in start order. Only standalone/ and scripts/ may see all apps at once. */
export const ALL_SERVICES: BusServiceDefinition[] = [identityApp, agentApp, workflowApp, conversationApp, integrationApp, executionApp];
