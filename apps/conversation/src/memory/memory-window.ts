import type { MemoryMessage, MemoryReply } from '#contracts';
import type { StoredMessage, StoredSummary } from './memory-backend.js';

/**
 * Tokens estimated without a tokenizer: about 4 characters per token for English text with the
 * common BPE vocabularies, plus 4 per message for the role and framing. Cheap and on the safe
 * side for prose; code and non-Latin scripts run denser, so budgets should keep a margin.
 */
export const CHARS_PER_TOKEN = 4;
export const TOKENS_PER_MESSAGE = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimateMessageTokens(m: Pick<MemoryMessage, 'content' | 'toolCalls'>): number {
  const calls = (m.toolCalls ?? []).reduce((sum, c) => sum + c.name.length + c.arguments.length, 0);
  return TOKENS_PER_MESSAGE + estimateTokens(m.content) + Math.ceil(calls / CHARS_PER_TOKEN);
}

export interface WindowOptions {
  maxMessages: number;
  maxTokens: number;
  /** Summary mode: the stored summary, used when it covers a message of this branch. */
  summary?: StoredSummary | null;
}

/**
 * What a model sees of a branch: the newest messages that fit both the message count and the
 * token budget (the summary, when used, is counted first). The newest message is always kept, even
 * alone over budget: a model that cannot see the question cannot answer it.
 */
export function selectWindow(branch: StoredMessage[], options: WindowOptions): MemoryReply {
  let candidates = branch;
  let summary: string | null = null;
  if (options.summary) {
    const at = branch.findIndex((m) => m.id === options.summary!.throughMessageId);
    if (at >= 0) {
      summary = options.summary.content;
      candidates = branch.slice(at + 1);
    }
  }
  let tokens = summary === null ? 0 : estimateTokens(summary);
  const kept: MemoryMessage[] = [];
  for (let i = candidates.length - 1; i >= 0 && kept.length < options.maxMessages; i--) {
    const cost = estimateMessageTokens(candidates[i]);
    if (kept.length > 0 && tokens + cost > options.maxTokens) break;
    tokens += cost;
    const { id, role, content, toolCalls, toolCallId } = candidates[i];
    kept.push({ id, role, content, toolCalls, toolCallId });
  }
  kept.reverse();
  return { summary, messages: kept, estimatedTokens: tokens, truncated: kept.length < candidates.length };
}
