/** What a person reads when something goes wrong: a headline, the platform's own words, and what to do. */
export interface Explanation {
  title: string;
  /** The platform's message (the problem's detail or the run error's message), as it said it. */
  detail: string;
  hint?: string;
  action?: { label: string; href: string };
  code: string;
}

/** A problem+json reply, or the error a run ended with: both carry a stable code and a message. */
export interface CodedError {
  code: string;
  detail?: string;
  message?: string;
  status?: number;
  limit?: string;
  kind?: string;
  retryAfter?: number;
  requestId?: string;
  activeRunId?: string;
  errors?: Array<{ field: string; problems: string[] }>;
}

const LIMITS: Record<string, string> = {
  maxSteps: 'its limit of model calls',
  maxTokens: 'its token limit',
  budget: 'its cost budget',
  timeout: 'its time limit',
};

const KEYS_LINK = { label: 'Store a model key', href: '#/keys' };

/** Turns a platform error code into words; unknown codes still show the platform's message. */
export function explain(error: CodedError): Explanation {
  const detail = error.detail ?? error.message ?? '';
  const base = { detail, code: error.code };
  switch (error.code) {
    case 'MODEL_NOT_CONFIGURED':
      return { ...base, title: 'No model is configured for this agent', hint: "Store an API key for the agent's provider, or pick a provider the platform has a key for.", action: KEYS_LINK };
    case 'PROVIDER_KEY_UNAVAILABLE':
      return { ...base, title: 'The API key sent with this message is gone', hint: 'Send the message again.' };
    case 'PROVIDER_ERROR':
      return providerError(error, base);
    case 'LIMIT_EXCEEDED':
      return {
        ...base,
        title: `The run stopped at ${LIMITS[error.limit ?? ''] ?? 'a limit'}`,
        hint: 'Ask for less in one message, or raise the limit in the agent settings (the operator caps still apply).',
      };
    case 'RATE_LIMITED':
      return {
        ...base,
        title: 'Too many requests',
        hint: error.retryAfter ? `Try again in ${error.retryAfter} s.` : 'Wait a moment, or let running answers finish, then try again.',
      };
    case 'CONFLICT':
      return error.activeRunId
        ? { ...base, title: 'An answer is still running in this conversation', hint: 'Wait for it, or stop it, then send again.' }
        : { ...base, title: 'That conflicts with the current state' };
    case 'VALIDATION_FAILED':
      return { ...base, title: 'Some input is not valid', hint: error.errors?.map((e) => `${e.field}: ${e.problems.join('; ')}`).join('\n') };
    case 'UNAUTHENTICATED':
      return { ...base, title: 'Not signed in', hint: 'Sign in again.' };
    case 'FORBIDDEN':
      return { ...base, title: 'Not allowed' };
    case 'NOT_FOUND':
      return { ...base, title: 'Not found', hint: 'It may have been deleted.' };
    case 'PAYLOAD_TOO_LARGE':
      return { ...base, title: 'Too large', hint: 'Send less at once.' };
    case 'AGENT_NOT_FOUND':
      return { ...base, title: 'The agent is gone' };
    case 'AGENT_INACTIVE':
      return { ...base, title: 'The agent is switched off', hint: 'Turn it back on in the agent settings.' };
    case 'INVALID_TOOLS':
      return { ...base, title: "The agent's tools cannot be used", hint: 'Check the tools in the agent settings.' };
    case 'TOOL_FAILED':
      return { ...base, title: 'A tool failed' };
    case 'CONVERSATION_REFUSED':
      return { ...base, title: 'The conversation could not take the message' };
    case 'UNAVAILABLE':
    case 'UPSTREAM_TIMEOUT':
    case 'NETWORK':
      return { ...base, title: 'The platform is not reachable right now', hint: 'It recovers by itself; try again in a moment.' };
    case 'INTERNAL':
      return { ...base, title: 'Something went wrong on the server', hint: error.requestId ? `Quote request id ${error.requestId} when reporting it.` : undefined };
    default:
      return { ...base, title: detail ? capitalise(detail) : `Error ${error.code}` };
  }
}

function providerError(error: CodedError, base: { detail: string; code: string }): Explanation {
  switch (error.kind) {
    case 'authentication':
      return { ...base, title: 'The model provider refused the API key', hint: 'Check or replace the stored key.', action: KEYS_LINK };
    case 'rate_limited':
      return { ...base, title: "The model provider's rate limit was reached", hint: 'Wait a moment and send again, or use another key.' };
    case 'bad_request':
      return { ...base, title: 'The model provider refused the request', hint: "Check the model name in the agent's settings." };
    case 'context_overflow':
      return { ...base, title: "The conversation no longer fits the model's context", hint: 'Start a new conversation, or use a model with a larger context.' };
    case 'timeout':
    case 'connection':
      return { ...base, title: 'The model provider could not be reached', hint: 'Check its address (the <PROVIDER>_BASE_URL setting) and try again.' };
    default:
      return { ...base, title: 'The model provider returned an error' };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
