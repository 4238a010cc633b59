import type { BaseMessage } from '@langchain/core/messages';
import { Metrics, SpanKind, Tracing } from '#observability';
import type { RunUsage } from '../run-engine/run-engine.service.js';
import type { RequiredToolCall } from './agent-run.js';

/** What a model call step answers, as far as its telemetry reads it. */
interface ChatReply {
  output: { content: string; toolCalls: unknown[]; finishReason: string | null; model: string | null };
  usage?: Partial<RunUsage>;
}

/**
 * The agent loop's telemetry, after the GenAI semantic conventions: a `chat {model}` span per model
 * call with its usage (and, when the operator turned content capture on, the messages), an
 * `execute_tool {name}` span per tool call, and the model calls counted on /metrics.
 */
export const GenAiTelemetry = {
  async chat<R extends ChatReply>(choice: { provider: string; model: string }, transcript: BaseMessage[], call: () => Promise<R>): Promise<R> {
    return Tracing.inSpan(
      `chat ${choice.model}`,
      { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': choice.provider, 'gen_ai.request.model': choice.model } },
      async (span) => {
        if (span && Tracing.captureContent) span.setAttribute('gen_ai.input.messages', JSON.stringify(transcript.map((m) => ({ role: m.getType(), content: m.content }))));
        let reply: R;
        try {
          reply = await call();
        } catch (err) {
          Metrics.modelCall(choice.provider, choice.model, 'error');
          throw err;
        }
        const usage = reply.usage;
        Metrics.modelCall(choice.provider, choice.model, 'ok', {
          inputTokens: usage?.promptTokens ?? 0,
          outputTokens: usage?.completionTokens ?? 0,
          costUsd: (usage?.costMicros ?? 0) / 1_000_000,
        });
        if (span) {
          span.setAttributes({
            'gen_ai.usage.input_tokens': usage?.promptTokens ?? 0,
            'gen_ai.usage.output_tokens': usage?.completionTokens ?? 0,
            ...(reply.output.model ? { 'gen_ai.response.model': reply.output.model } : {}),
            ...(reply.output.finishReason ? { 'gen_ai.response.finish_reasons': [reply.output.finishReason] } : {}),
          });
          if (Tracing.captureContent) span.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', content: reply.output.content, toolCalls: reply.output.toolCalls }]));
        }
        return reply;
      },
    );
  },

  tool(call: RequiredToolCall, execute: () => Promise<string>): Promise<string> {
    return Tracing.inSpan(
      `execute_tool ${call.name}`,
      { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': call.name, 'gen_ai.tool.call.id': call.id, 'gen_ai.tool.type': 'function' } },
      async (span) => {
        if (span && Tracing.captureContent) span.setAttribute('gen_ai.tool.call.arguments', call.arguments);
        const result = await execute();
        if (span && Tracing.captureContent) span.setAttribute('gen_ai.tool.call.result', result);
        return result;
      },
    );
  },
};
