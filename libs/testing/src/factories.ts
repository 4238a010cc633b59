import { randomBytes } from 'node:crypto';
import type { ApiClient } from './http-client.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export function userInput(overrides: Partial<{ email: string; password: string; name: string }> = {}) {
  const tag = randomBytes(5).toString('hex');
  return { email: `user-${tag}@example.test`, password: `pw-${tag}-long-enough`, name: `User ${tag}`, ...overrides };
}

/** Registers a fresh user through the API and returns its credentials and tokens. */
export async function registerUser(api: ApiClient, overrides: Parameters<typeof userInput>[0] = {}): Promise<TestUser> {
  const input = userInput(overrides);
  const res = await api.post('/api/v1/auth/register', input);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return { id: res.body.user.id, email: input.email, password: input.password, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

/**
 * A workflow definition with one model call: its declared `inputs`, an llm node prompted with
 * `promptTemplate` (which may use `{{ inputs.<name> }}`), and the answer as the output `draft`.
 */
export function singleLlmWorkflow(inputs: Array<Record<string, unknown>>, promptTemplate: string): Record<string, unknown> {
  return {
    inputs,
    outputs: [{ name: 'draft', type: 'string' }],
    state: [{ name: 'draft', type: 'string' }],
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'draft', type: 'llm', config: { provider: 'openai', model: 'gpt-4o-mini', promptTemplate, output: 'draft' } },
      { id: 'out', type: 'output', config: { values: { draft: 'state.draft' } } },
    ],
    edges: [
      { from: 'start', to: 'draft' },
      { from: 'draft', to: 'out' },
    ],
  };
}
