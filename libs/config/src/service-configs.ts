/**
 * Settings only one service reads live in that service's section, loaded and validated at the
 * service's start with the same rules as the platform settings (a bad value names the variable).
 */
export { loadIdentityConfig, type IdentityConfig } from './identity.config.js';
export { loadAgentConfig, type AgentConfig } from './agent.config.js';
export { loadConversationConfig, type ConversationConfig } from './conversation.config.js';
export { loadExecutionConfig, type ExecutionConfig } from './execution.config.js';
export { loadIntegrationConfig, type IntegrationConfig, type OAuthProviderConfig } from './integration.config.js';
export { loadWorkflowConfig, type WorkflowConfig } from './workflow.config.js';
