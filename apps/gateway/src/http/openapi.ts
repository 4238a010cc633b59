import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type OpenAPIObject } from '@nestjs/swagger';

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED: malformed JSON, a missing, unknown or invalid field',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED: wait as long as Retry-After says',
  503: 'UNAVAILABLE: the message bus or the database is down; retry after Retry-After',
  504: 'UPSTREAM_TIMEOUT: the owning service did not answer in time',
};

const PROBLEM_REF = '#/components/schemas/Problem';
const RETRY_AFTER_REF = '#/components/headers/RetryAfter';
/** Statuses whose replies carry Retry-After (see problem.filter.ts). */
const RETRY_STATUSES = new Set(['429', '503']);

/** RFC 9457 problem details with our stable `code`: declared once in components, referenced by every error reply. */
const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details; `code` is stable and is what clients branch on',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', example: 'about:blank' },
    title: { type: 'string', example: 'Not Found' },
    status: { type: 'integer', example: 404 },
    detail: { type: 'string', example: 'agent not found' },
    code: {
      type: 'string',
      enum: ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'RATE_LIMITED', 'INTERNAL', 'UNAVAILABLE', 'UPSTREAM_TIMEOUT'],
    },
    instance: { type: 'string', example: '/api/v1/agents/0190a5c4-0000-7000-8000-000000000000' },
    requestId: { type: 'string', description: 'Quote it to support: it is in every log line of the request' },
    errors: {
      type: 'array',
      description: 'VALIDATION_FAILED: one entry per bad field',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  additionalProperties: true,
};

const RETRY_AFTER_HEADER = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer', minimum: 1, example: 30 },
};

/**
 * The run event types a stream carries, each with what its `data` holds besides `runId` and `seq`.
 * The run engine appends them (apps/execution: run-engine, step-journal, agent-loop, workflow-runs).
 */
const RUN_EVENT_TYPES: Record<string, string> = {
  'run.queued': '{ status: "pending" }',
  'run.started': '{ status: "running", attempt }: an attempt began',
  'run.retrying': '{ attempt, error, retryInMs }: the attempt failed and the run is queued again',
  'run.resumed': '{ status: "pending", stepKeys }: client tool results or approvals were given',
  'run.warning': '{ unavailableTools }: tools the agent has that could not be had for this run',
  'step.started': '{ step, key, name, type }: a model call (llm_call) or tool call (tool) began',
  token: '{ step, text }: text the model streamed',
  'step.completed': '{ step, key, usage }',
  'step.failed': '{ step, key, error }',
  'node.started': '{ nodeId, type, visit }: a workflow node began',
  'node.completed': '{ nodeId, type, visit, output }',
  'node.failed': '{ nodeId, type, visit, error }',
  'run.requires_action': '{ status, action, usage }: the run waits for client tool results or an approval',
  'run.completed': '{ status, output, usage }: the last event of the stream',
  'run.failed': '{ status, error, output?, usage }: the last event of the stream',
  'run.cancelled': '{ status, output?, usage }: the last event of the stream',
  'run.expired': '{ status, error, output?, usage }: the last event of the stream',
  error: '{ code, message }: the stream itself broke (not the run); sent once, then the stream ends',
};

const RUN_STREAM_EVENT_SCHEMA = {
  type: 'object',
  description:
    'One Server-Sent Event, as the lines `id: <seq>`, `event: <type>` and `data: <JSON>` followed by a blank line; a `: keep-alive` comment comes after 15 s of silence. ' +
    'The types and their data:\n' +
    Object.entries(RUN_EVENT_TYPES)
      .map(([type, data]) => `- \`${type}\`: ${data}`)
      .join('\n'),
  required: ['event', 'data'],
  properties: {
    id: { type: 'integer', minimum: 1, description: "The event's sequence number in the run (absent on `error`): send it back as Last-Event-ID to resume" },
    event: { type: 'string', enum: Object.keys(RUN_EVENT_TYPES) },
    data: {
      type: 'object',
      additionalProperties: true,
      description: 'JSON on one line: `runId` and `seq` with the fields of its type',
      properties: { runId: { type: 'string', format: 'uuid' }, seq: { type: 'integer' } },
    },
  },
};

/** The schema of a run's event stream (text/event-stream), for the routes that stream runs. */
export const RUN_STREAM_CONTENT = { 'text/event-stream': { schema: { $ref: '#/components/schemas/RunStreamEvent' } } };

/** Documents problem+json replies for the given statuses, with Retry-After where the gateway sends it. */
export function ProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'error',
        content: { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } },
        ...(RETRY_STATUSES.has(String(status)) ? { headers: { 'Retry-After': { $ref: RETRY_AFTER_REF } } } : {}),
      }),
    ),
  );
}

/** Where a controller's name and a method's name do not make a readable operationId by the rule below. */
const OPERATION_IDS: Record<string, string> = {
  HealthController_live: 'getLiveness',
  HealthController_ready: 'getReadiness',
  AuthController_register: 'register',
  AuthController_login: 'login',
  AuthController_refresh: 'refreshTokens',
  AuthController_logout: 'logout',
  OidcController_login: 'startOidcLogin',
  OidcController_callback: 'completeOidcLogin',
  MeController_changeEmail: 'changeMyEmail',
  MeController_changePassword: 'changeMyPassword',
  ApiKeysController_revoke: 'revokeApiKey',
  AdminController_listUsers: 'listUsers',
  AdminController_updateUser: 'updateUser',
  AdminController_getSetting: 'getSystemSetting',
  AdminController_putSetting: 'putSystemSetting',
  AdminController_listAuditLog: 'listAuditLog',
  SettingsController_get: 'getSettings',
  SettingsController_update: 'updateSettings',
  SettingsController_putProviderKey: 'putProviderKey',
  SettingsController_deleteProviderKey: 'deleteProviderKey',
  NotificationsController_markAllRead: 'markAllNotificationsRead',
  NotificationsController_markRead: 'markNotificationRead',
  AgentToolsController_fromQa: 'createAgentFromAnswers',
  AgentToolsController_regenerate: 'regenerateAgentPrompt',
  AgentToolsController_export: 'exportAgent',
  AgentToolsController_import: 'importAgent',
  AgentToolsController_warmAll: 'warmAllAgents',
  AgentToolsController_warm: 'warmAgent',
  TemplatesController_listAgentTemplates: 'listAgentTemplates',
  ConversationsController_messages: 'listConversationMessages',
  ConversationsController_tree: 'getConversationTree',
  ConversationsController_upload: 'uploadAttachment',
  MessagesController_edit: 'editMessage',
  SearchController_messages: 'searchMessages',
  AttachmentsController_download: 'downloadAttachment',
  AgentRunsController_start: 'runAgent',
  WorkflowRunsController_start: 'runWorkflow',
  RunsController_steps: 'listRunSteps',
  RunsController_events: 'streamRunEvents',
  RunWebhooksController_secret: 'getWebhookSigningSecret',
  RunWebhooksController_rotate: 'rotateWebhookSigningSecret',
  UsageController_get: 'getUsage',
  WorkflowsController_validate: 'validateWorkflow',
  WorkflowsController_diff: 'diffWorkflowVersions',
  WorkflowPublishingController_publish: 'publishWorkflow',
  WorkflowPublishingController_list: 'listWorkflowPublicLinks',
  WorkflowPublishingController_revoke: 'revokeWorkflowPublicLink',
  WorkflowWebhooksController_create: 'createWorkflowWebhook',
  WorkflowWebhooksController_list: 'listWorkflowWebhooks',
  WorkflowWebhooksController_delete: 'deleteWorkflowWebhook',
  PublicWorkflowsController_form: 'getPublicWorkflowForm',
  PublicWorkflowsController_startRun: 'runPublicWorkflow',
  PublicWorkflowsController_getRun: 'getPublicWorkflowRun',
  HooksController_deliver: 'deliverWorkflowWebhook',
  KnowledgeSearchController_searchMany: 'searchKnowledgeBases',
  KnowledgeSearchController_search: 'searchKnowledgeBase',
  ToolsController_available: 'listAvailableTools',
  McpServersController_check: 'checkMcpServer',
  McpServersController_tools: 'listMcpServerTools',
  McpServersController_setCredentials: 'setMcpServerCredentials',
  IntegrationUsageController_get: 'getIntegrationUsage',
  IntegrationsController_providers: 'listIntegrationProviders',
  IntegrationsController_authorize: 'authorizeIntegration',
  OAuthCallbackController_callback: 'completeIntegrationAuthorization',
  IntegrationEventsController_list: 'listIntegrationEvents',
};

/**
 * A readable operationId: `createAgent`, `listAgents`, `getAgentVersion`. The rule is the method's
 * first word, the controller's resource (singular, plural for a bare `list`), then the method's
 * other words, unless the method already names it (`getMe`); OPERATION_IDS holds the exceptions.
 */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  const known = OPERATION_IDS[`${controllerKey}_${methodKey}`];
  if (known) return known;
  const plural = controllerKey.replace(/Controller$/, '');
  const singular = plural.replace(/ies$/, 'y').replace(/s$/, '');
  if (methodKey.toLowerCase().includes(singular.toLowerCase())) return methodKey;
  if (methodKey === 'list') return `list${plural}`;
  const [verb, ...rest] = methodKey.split(/(?=[A-Z])/);
  return `${verb}${singular}${rest.join('')}`;
}

type Examples = Record<string, { summary: string; value: unknown }>;

/** Request examples of the main operations, by operationId (the lint checks each against its schema). */
export const REQUEST_EXAMPLES: Record<string, Examples> = {
  register: { account: { summary: 'A new account', value: { email: 'ada@example.com', password: 'correct horse battery', name: 'Ada' } } },
  login: { password: { summary: 'Email and password', value: { email: 'ada@example.com', password: 'correct horse battery' } } },
  createApiKey: {
    readOnly: { summary: 'A key that may only read', value: { name: 'dashboard', scopes: ['read'], expiresInDays: 90 } },
    full: { summary: 'A key for a backend', value: { name: 'backend', scopes: ['full'] } },
  },
  createAgent: {
    minimal: { summary: 'A model and a prompt', value: { name: 'Helper', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.' } },
    withTools: {
      summary: 'With a built-in tool',
      value: { name: 'Calc', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Use the calculator for arithmetic.', tools: [{ kind: 'builtin', name: 'calculator' }] },
    },
  },
  runAgent: {
    message: { summary: 'One message', value: { input: 'What is 17 * 23?' } },
    bounded: { summary: 'With limits and a client-side tool', value: { input: 'Book a table for two', limits: { maxSteps: 5, timeoutSeconds: 60 }, tools: [{ name: 'book_table', description: 'Books a table', parameters: { type: 'object', properties: { people: { type: 'integer' } } } }] } },
  },
  createConversation: { withAgent: { summary: "A conversation with one of your agents", value: { agentId: '0190a5c4-6f6e-7c1a-9d3e-2b8f4a1c0d11', title: 'Support chat' } } },
  addConversationMessage: { message: { summary: 'The next message', value: { content: 'And in Celsius?' } } },
  runWorkflow: { inputs: { summary: "The workflow's declared inputs", value: { inputs: { topic: 'solar panels' } } } },
};

/**
 * What decorators cannot say once for the whole document: the shared components (the problem
 * schema, Retry-After, the run event stream), bearer security as the default with `security: []`
 * on the public routes, and Retry-After on every 429 and 503.
 */
export function finishOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {});
  components.schemas = { ...components.schemas, Problem: PROBLEM_SCHEMA, RunStreamEvent: RUN_STREAM_EVENT_SCHEMA } as typeof components.schemas;
  components.headers = { ...components.headers, RetryAfter: RETRY_AFTER_HEADER } as typeof components.headers;
  document.security = [{ bearer: [] }];
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      // Routes without the bearer guard are public: say so, rather than inherit the default.
      if (!operation.security || operation.security.length === 0) operation.security = [];
      const examples = operation.operationId ? REQUEST_EXAMPLES[operation.operationId] : undefined;
      const body = operation.requestBody && !('$ref' in operation.requestBody) ? operation.requestBody.content['application/json'] : undefined;
      if (examples && body) body.examples = examples;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!response || !RETRY_STATUSES.has(status) || '$ref' in response) continue;
        response.headers = { 'Retry-After': { $ref: RETRY_AFTER_REF }, ...response.headers };
      }
    }
  }
  return document;
}
