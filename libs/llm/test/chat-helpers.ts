import type { ChatDelta } from '../src/chat-stream.js';
import { ModelProviderError } from '../src/llm-errors.js';

/** One tool in OpenAI's function format, which every provider's LangChain model binds. */
export const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city'] },
  },
};

export async function collect(stream: AsyncIterable<ChatDelta>): Promise<ChatDelta[]> {
  const out: ChatDelta[] = [];
  for await (const delta of stream) out.push(delta);
  return out;
}

/** The ModelProviderError a call failed with; fails the test when it succeeds or fails otherwise. */
export async function failureOf(work: Promise<unknown>): Promise<ModelProviderError> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(ModelProviderError);
    return error as ModelProviderError;
  }
  throw new Error('expected the call to fail');
}
