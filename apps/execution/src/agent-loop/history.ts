import { AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import type { MemoryMessage } from '#contracts';

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The system prompt with {{name}} replaced by the session's variables; unknown names stay as written. */
export function renderSystemPrompt(template: string, variables: Record<string, string> = {}): string {
  return template.replace(VARIABLE, (whole, name: string) => (Object.hasOwn(variables, name) ? variables[name] : whole));
}

/** Tool call arguments as stored (JSON text) back to the object LangChain wants; unreadable ones become {}. */
export function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A conversation's stored messages as the chat model's history. */
export function toChatMessages(messages: readonly MemoryMessage[]): BaseMessage[] {
  const out: BaseMessage[] = [];
  for (const m of messages) {
    switch (m.role) {
      case 'user':
        out.push(new HumanMessage(m.content));
        break;
      case 'assistant':
        out.push(
          new AIMessage({
            content: m.content,
            tool_calls: (m.toolCalls ?? []).map((c) => ({ id: c.id, name: c.name, args: parseArguments(c.arguments), type: 'tool_call' as const })),
          }),
        );
        break;
      case 'tool':
        // A tool result whose call is not in the window would be refused by the provider.
        if (m.toolCallId && hasCall(out, m.toolCallId)) out.push(new ToolMessage({ tool_call_id: m.toolCallId, content: m.content }));
        break;
      case 'system':
        out.push(new SystemMessage(m.content));
        break;
    }
  }
  return out;
}

function hasCall(messages: BaseMessage[], id: string): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m instanceof AIMessage && m.tool_calls?.some((c) => c.id === id)) return true;
  }
  return false;
}
