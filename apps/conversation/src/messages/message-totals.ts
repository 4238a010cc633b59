import type { TotalsDelta } from '../conversations/conversations.service.js';
import type { MessageEntity } from './message.entity.js';

/** What these messages count for in their conversation's totals; sign -1 for messages hidden. */
export function totalsOf(messages: Array<Pick<MessageEntity, 'tokenUsage' | 'costMicros'>>, sign: 1 | -1 = 1): TotalsDelta {
  const sum: TotalsDelta = { messages: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costMicros: 0 };
  for (const m of messages) {
    sum.messages += sign;
    sum.promptTokens += sign * (m.tokenUsage?.prompt ?? 0);
    sum.completionTokens += sign * (m.tokenUsage?.completion ?? 0);
    sum.totalTokens += sign * (m.tokenUsage?.total ?? 0);
    sum.costMicros += sign * m.costMicros;
  }
  return sum;
}
