import type { RunView } from '#contracts';
import { chatCompletion, clientToolCallId, clientToolCallsOf, parseClientToolCallId, responseObject, stoppedAtLength, uuidOf } from './openai.mapper.js';

const RUN_ID = '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b';

function run(overrides: Partial<RunView> = {}): RunView {
  return {
    id: RUN_ID,
    status: 'completed',
    agentId: '0193a5b2-0000-7000-8000-000000000001',
    agentVersion: 2,
    workflowId: null,
    workflowVersion: null,
    conversationId: null,
    sessionId: null,
    input: { message: 'hi' },
    output: { content: 'Hello.' },
    outputPartial: false,
    requiredAction: null,
    error: null,
    usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10, costMicros: 1 },
    limits: {},
    traceId: null,
    attempt: 1,
    background: false,
    createdAt: '2026-12-07T09:00:00.000Z',
    startedAt: null,
    completedAt: null,
    ...overrides,
  };
}

describe('OpenAI shapes of runs', () => {
  it('carries the run and the model\'s own call id in a tool call id, and reads them back', () => {
    for (const callId of ['call_abc', 'toolu_01A-b_c', 'x'.repeat(200), 'ünïcode id']) {
      const id = clientToolCallId(RUN_ID, callId);
      expect(id).toMatch(/^call_[0-9a-f]{32}_[A-Za-z0-9_-]+$/);
      expect(parseClientToolCallId(id)).toEqual({ runId: RUN_ID, callId });
    }
  });

  it('refuses tool call ids it did not make', () => {
    for (const id of ['call_abc', 'call_0193a5b27c4d7e8f9a0b1c2d3e4f5a6b_', 'call_0193A5B27C4D7E8F9A0B1C2D3E4F5A6B_YWJj', 'call_0193a5b27c4d7e8f9a0b1c2d3e4f5a6_YWJj', '']) {
      expect(parseClientToolCallId(id)).toBeUndefined();
    }
    expect(uuidOf('not-hex')).toBeUndefined();
  });

  it('answers a completed run as a completion with its usage, and a paused one with its client tool calls', () => {
    expect(chatCompletion(run(), 'helper', 'stop', undefined)).toMatchObject({
      id: 'chatcmpl-0193a5b27c4d7e8f9a0b1c2d3e4f5a6b',
      object: 'chat.completion',
      created: 1796634000,
      model: 'helper',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello.' } }],
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    const action = { type: 'client_tool_calls', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }] };
    const calls = clientToolCallsOf(action);
    const paused = chatCompletion(run({ status: 'requires_action', output: null, requiredAction: action }), 'helper', 'tool_calls', calls);
    expect(paused.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: clientToolCallId(RUN_ID, 'call_1'), type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
    });
    expect(clientToolCallsOf({ type: 'tool_approval', toolCalls: [] })).toBeUndefined();
  });

  it("calls a run stopped by its token limit incomplete (length), and any other failure failed", () => {
    const limited = run({ status: 'failed', output: { content: 'Partial' }, error: { code: 'LIMIT_EXCEEDED', message: 'tokens', limit: 'maxTokens' } });
    expect(stoppedAtLength(limited)).toBe(true);
    const context = { model: 'helper', instructions: null, previousResponseId: null, temperature: null, maxOutputTokens: null, user: null, metadata: {} };
    expect(responseObject(limited, context)).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output_text: 'Partial', error: null });
    const failed = run({ status: 'failed', output: null, error: { code: 'PROVIDER_ERROR', message: 'down' } });
    expect(stoppedAtLength(failed)).toBe(false);
    expect(responseObject(failed, context)).toMatchObject({ id: 'resp_0193a5b27c4d7e8f9a0b1c2d3e4f5a6b', status: 'failed', output: [], error: { code: 'server_error', message: 'PROVIDER_ERROR: down' } });
    expect(responseObject(run({ status: 'pending', output: null }), context)).toMatchObject({ status: 'queued', output: [] });
  });
});
