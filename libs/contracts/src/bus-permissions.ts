import type { EventContract, RpcContract } from './contract.js';
import { SERVICE_NAMES, type ServiceName, healthContract } from './common/services.js';
import { UserDeleted } from './common/user-deleted.event.js';
import { ProjectDeleted } from './common/project-deleted.event.js';
import { NotificationRequested } from './common/notification-requested.event.js';
import { AccessContracts, AccountContracts, CREDENTIALS_CHANGED, IdentityContracts, PROVIDER_KEYS_CHANGED, REQUEST_BUDGET_SPENT } from './identity/index.js';
import {
  AGENT_CONFIG_INVALIDATED,
  AgentContracts,
  AgentDeleted,
  ConfigCacheContracts,
  DocumentContracts,
  KnowledgeBaseContracts,
  KnowledgeBaseRefContracts,
  KnowledgeSearchContracts,
  TemplateContracts,
  WizardContracts,
} from './agent/index.js';
import { AttachmentContracts, ConversationContracts, MemoryContracts, MessageContracts, RunWriteContracts, SearchContracts } from './conversation/index.js';
import { EmbeddingContracts, RUN_EVENT_STREAM_PATTERN, RunContracts, RunWebhookContracts, SessionContracts, UsageContracts } from './execution/index.js';
import { PublicLinkContracts, ScheduleContracts, WebhookContracts, WebhookReceived, WorkflowContracts, WorkflowResolveContracts } from './workflow/index.js';
import {
  ConnectionContracts,
  HttpToolContracts,
  IntegrationEventContracts,
  McpServerContracts,
  ToolCallContracts,
  ToolRefContracts,
  ToolUsageContracts,
} from './integration/index.js';

/** Who may be on the bus: the gateway (an edge that only calls) and every service. */
export const BUS_IDENTITIES = ['gateway', ...SERVICE_NAMES] as const;
export type BusIdentity = (typeof BUS_IDENTITIES)[number];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of contracts of every request and reply type
type AnyRpc = RpcContract<any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of events of every payload type
type AnyEvent = EventContract<any>;

export interface BusGrant {
  /** The request/reply subjects this identity sends; nothing else may leave it. */
  readonly calls: readonly AnyRpc[];
  /** The events this service takes from the stream, one durable consumer each. */
  readonly consumes: readonly AnyEvent[];
  /** Another app's broadcasts this identity listens to (every service hears its own). */
  readonly hears?: readonly string[];
}

/**
 * The one source of truth for who may say what on the bus. What an identity serves is implied by
 * its name: a service answers the subjects `<service>.…`, publishes the events
 * `events.<service>.…` and the broadcasts `<service>.…`; the gateway serves nothing. Both the
 * in-process bus (single-process mode) and the NATS transport refuse what this table does not
 * grant, and scripts/nats-config.ts turns it into the nats-server's users and permissions, so a
 * call missing here fails in every test that makes it.
 */
export const BUS_PERMISSIONS: Readonly<Record<BusIdentity, BusGrant>> = {
  // User-facing subjects only (and the credential check and health probes it makes itself).
  gateway: {
    calls: [
      ...SERVICE_NAMES.map((service) => healthContract(service)),
      AgentContracts.create,
      AgentContracts.delete,
      WizardContracts.export,
      WizardContracts.fromQa,
      AgentContracts.get,
      WizardContracts.import,
      AgentContracts.list,
      AgentContracts.publish,
      WizardContracts.regeneratePrompt,
      AgentContracts.restore,
      AgentContracts.update,
      ConfigCacheContracts.warm,
      ConfigCacheContracts.warmAll,
      DocumentContracts.getChunk,
      DocumentContracts.add,
      DocumentContracts.delete,
      DocumentContracts.get,
      DocumentContracts.list,
      KnowledgeBaseContracts.create,
      KnowledgeBaseContracts.delete,
      KnowledgeBaseContracts.get,
      KnowledgeBaseContracts.list,
      KnowledgeBaseContracts.update,
      KnowledgeSearchContracts.search,
      TemplateContracts.createPromptTemplate,
      TemplateContracts.deletePromptTemplate,
      TemplateContracts.getPromptTemplate,
      TemplateContracts.listPromptTemplates,
      TemplateContracts.updatePromptTemplate,
      TemplateContracts.listPromptTemplateVersions,
      TemplateContracts.listAgentTemplates,
      AgentContracts.getVersion,
      AgentContracts.listVersions,
      AgentContracts.restoreVersion,
      AttachmentContracts.download,
      AttachmentContracts.upload,
      MessageContracts.switchBranch,
      ConversationContracts.create,
      ConversationContracts.delete,
      ConversationContracts.get,
      ConversationContracts.list,
      ConversationContracts.restore,
      ConversationContracts.update,
      MessageContracts.add,
      MessageContracts.delete,
      MessageContracts.edit,
      MessageContracts.list,
      MessageContracts.restore,
      SearchContracts.messages,
      MessageContracts.tree,
      RunContracts.cancel,
      RunContracts.events,
      RunContracts.get,
      RunContracts.list,
      RunContracts.resume,
      RunContracts.start,
      RunContracts.startWorkflow,
      RunContracts.steps,
      RunContracts.wait,
      SessionContracts.get,
      UsageContracts.get,
      RunWebhookContracts.rotateSecret,
      RunWebhookContracts.secret,
      AccessContracts.listAuditLog,
      AccessContracts.getSystemSetting,
      AccessContracts.putSystemSetting,
      AccessContracts.listUsers,
      AccessContracts.updateUser,
      AccessContracts.createApiKey,
      AccessContracts.listApiKeys,
      AccessContracts.revokeApiKey,
      IdentityContracts.changePassword,
      IdentityContracts.login,
      IdentityContracts.logout,
      IdentityContracts.refresh,
      IdentityContracts.register,
      AccessContracts.verifyCredential,
      AccountContracts.listNotifications,
      AccountContracts.markAllNotificationsRead,
      AccountContracts.markNotificationRead,
      AccessContracts.oidcCallback,
      AccessContracts.oidcLogin,
      AccountContracts.archiveProject,
      AccountContracts.createProject,
      AccountContracts.deleteProject,
      AccountContracts.getProject,
      AccountContracts.listProjects,
      AccountContracts.unarchiveProject,
      AccountContracts.updateProject,
      AccountContracts.deleteProviderKey,
      AccountContracts.putProviderKey,
      AccountContracts.getSettings,
      AccountContracts.updateSettings,
      AccountContracts.changeEmail,
      IdentityContracts.deleteMe,
      IdentityContracts.getMe,
      AccountContracts.updateProfile,
      ConnectionContracts.delete,
      ConnectionContracts.list,
      IntegrationEventContracts.list,
      McpServerContracts.check,
      McpServerContracts.create,
      McpServerContracts.delete,
      McpServerContracts.get,
      McpServerContracts.list,
      McpServerContracts.setCredentials,
      McpServerContracts.tools,
      McpServerContracts.update,
      ConnectionContracts.authorize,
      ConnectionContracts.callback,
      ConnectionContracts.providers,
      HttpToolContracts.available,
      HttpToolContracts.create,
      HttpToolContracts.delete,
      HttpToolContracts.get,
      HttpToolContracts.list,
      HttpToolContracts.update,
      ToolUsageContracts.report,
      PublicLinkContracts.list,
      PublicLinkContracts.revoke,
      PublicLinkContracts.form,
      PublicLinkContracts.getRun,
      PublicLinkContracts.startRun,
      ScheduleContracts.create,
      ScheduleContracts.delete,
      ScheduleContracts.get,
      ScheduleContracts.list,
      ScheduleContracts.update,
      WorkflowContracts.diff,
      WorkflowContracts.getVersion,
      WorkflowContracts.listVersions,
      WorkflowContracts.restoreVersion,
      WebhookContracts.create,
      WebhookContracts.delete,
      WebhookContracts.deliver,
      WebhookContracts.list,
      WorkflowContracts.create,
      WorkflowContracts.delete,
      WorkflowContracts.export,
      WorkflowContracts.get,
      WorkflowContracts.import,
      WorkflowContracts.list,
      PublicLinkContracts.publish,
      WorkflowContracts.update,
      WorkflowContracts.validate,
    ],
    consumes: [],
    // Identity's word that a credential changed or a user's request budget is spent: the
    // credential cache drops what it kept, on every replica (the next request asks again). And
    // runs' live events: a stream subscribes to its own user's run only (run-event-stream.ts).
    hears: [CREDENTIALS_CHANGED, REQUEST_BUDGET_SPENT, RUN_EVENT_STREAM_PATTERN],
  },
  identity: {
    calls: [],
    consumes: Object.values(NotificationRequested),
  },
  agent: {
    calls: [AccountContracts.getProject, AttachmentContracts.download, EmbeddingContracts.create, ConnectionContracts.authUrls, ToolRefContracts.check],
    consumes: [UserDeleted, ProjectDeleted],
  },
  workflow: {
    calls: [
      AccountContracts.getProject,
      ConfigCacheContracts.resolve,
      KnowledgeBaseRefContracts.findOwned,
      RunContracts.getForOwner,
      RunContracts.startForOwner,
      ToolRefContracts.check,
    ],
    consumes: [UserDeleted, ProjectDeleted],
  },
  conversation: {
    calls: [AgentContracts.get, AccountContracts.getProject, WorkflowContracts.get],
    consumes: [UserDeleted, AgentDeleted],
  },
  integration: {
    calls: [AgentContracts.get, AccountContracts.getProject],
    consumes: [UserDeleted, WebhookReceived],
  },
  execution: {
    calls: [
      // Only execution may decrypt a user's provider key, to call the model for that user's run.
      AccountContracts.revealProviderKey,
      ConfigCacheContracts.resolve,
      KnowledgeSearchContracts.search,
      ConversationContracts.get,
      MemoryContracts.get,
      MemoryContracts.writeSummary,
      RunWriteContracts.appendMessages,
      RunWriteContracts.appendUserMessage,
      ToolCallContracts.call,
      ToolCallContracts.resolve,
      WorkflowResolveContracts.resolve,
    ],
    consumes: [UserDeleted, AgentDeleted],
    // Identity's word that a user's stored provider key changed, the agent service's that an agent
    // changed: what execution keeps of them is dropped.
    hears: [PROVIDER_KEYS_CHANGED, AGENT_CONFIG_INVALIDATED],
  },
};

const CALLS = new Map<string, ReadonlySet<string>>(BUS_IDENTITIES.map((id) => [id, new Set(BUS_PERMISSIONS[id].calls.map((c) => c.subject))]));
const CONSUMES = new Map<string, ReadonlySet<string>>(BUS_IDENTITIES.map((id) => [id, new Set(BUS_PERMISSIONS[id].consumes.map((e) => e.subject))]));

export function isBusIdentity(name: string): name is BusIdentity {
  return (BUS_IDENTITIES as readonly string[]).includes(name);
}

/** The service that answers a subject (its first token), if it is one of ours. */
export function subjectOwner(subject: string): ServiceName | undefined {
  const owner = subject.slice(0, subject.indexOf('.'));
  return (SERVICE_NAMES as readonly string[]).includes(owner) ? (owner as ServiceName) : undefined;
}

/**
 * Whether `caller` may send a request on `subject`. A subject of one of our services may be called
 * only by an identity the table grants it to; subjects of no service of ours (a test's own) are
 * outside the table.
 */
export function mayCall(caller: string, subject: string): boolean {
  if (!subjectOwner(subject)) return true;
  return CALLS.get(caller)?.has(subject) ?? false;
}

/** Whether `service` may answer `subject`: only its own. */
export function mayServe(service: string, subject: string): boolean {
  const owner = subjectOwner(subject);
  if (!owner && !isBusIdentity(service)) return true;
  return owner === service;
}

/** Whether `service` may take `eventSubject` from the stream. */
export function mayConsume(service: string, eventSubject: string): boolean {
  if (!isBusIdentity(service)) return true;
  return CONSUMES.get(service)?.has(eventSubject) ?? false;
}

/** Whether `service` may publish `eventSubject`: only its own events. */
export function mayPublishEvent(service: string, eventSubject: string): boolean {
  if (!isBusIdentity(service)) return true;
  return eventSubject.startsWith(`events.${service}.`);
}

/** Whether `service` may broadcast or hear `subject`: only its own. */
export function mayBroadcast(service: string, subject: string): boolean {
  if (!isBusIdentity(service)) return true;
  return subject.startsWith(`${service}.`);
}

/** May this identity listen to the broadcast `subject`: its own, or another app's the table lets it hear. */
export function mayHear(identity: string, subject: string): boolean {
  if (!isBusIdentity(identity)) return true;
  return mayBroadcast(identity, subject) || (BUS_PERMISSIONS[identity].hears ?? []).some((granted) => subjectMatches(granted, subject));
}

/** NATS subject matching: `*` stands for one token, a last `>` for one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const want = pattern.split('.');
  const have = subject.split('.');
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '>' && i === want.length - 1) return have.length > i;
    if (i >= have.length || (want[i] !== '*' && want[i] !== have[i])) return false;
  }
  return want.length === have.length;
}
