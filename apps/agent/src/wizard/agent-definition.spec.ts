import { AppError } from '#contracts';
import { parseDefinition, providerForModel } from './agent-definition.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? (err.details?.errors as Array<{ field: string }>)[0].field : 'not-an-app-error';
  }
};

describe('agent definitions', () => {
  it('reads a seed-000 agent row: model, prompt, tools from a JSON string', () => {
    const parsed = parseDefinition({ id: 1, user_id: 2, nama_model: 'gpt-4o-mini', system_message: 'Hi', tools: '[{"name":"gmail_send"},"calculator"]', agent_type: 'automation' });
    expect(parsed.source).toBe('legacy-agent');
    expect(parsed.fields).toEqual({
      name: 'Imported agent (gpt-4o-mini)',
      modelProvider: 'openai',
      modelName: 'gpt-4o-mini',
      systemPrompt: 'Hi',
      tools: [
        { kind: 'integration', name: 'gmail_send', provider: 'google' },
        { kind: 'builtin', name: 'calculator' },
      ],
      agentType: 'automation',
    });
  });

  it('reads a seed-001 Q&A agent, drafting the prompt when it has none', () => {
    const parsed = parseDefinition({ qa_who: 'Charlie, a tutor', qa_rules: 'be kind', qa_tricks: '' });
    expect(parsed.source).toBe('legacy-qa-agent');
    expect(parsed.fields.name).toBe('Charlie');
    expect(parsed.fields.systemPrompt).toContain('You are Charlie, a tutor\n');
    expect(parsed.qa).toEqual({ who: 'Charlie, a tutor', rules: 'be kind', tricks: '' });
  });

  it('refuses what is not a definition, naming the bad part', () => {
    expect(fieldOf(() => parseDefinition({ title: 'x' }))).toBe('definition');
    expect(fieldOf(() => parseDefinition({ nama_model: '' }))).toBe('definition.nama_model');
    expect(fieldOf(() => parseDefinition({ nama_model: 'gpt-4o', tools: '{"a":1}' }))).toBe('definition.tools');
    expect(fieldOf(() => parseDefinition({ qa_who: 'x', qa_rules: 3 }))).toBe('definition.qa_rules');
    expect(fieldOf(() => parseDefinition({ kind: 'agent-platform/agent-definition', formatVersion: 2 }))).toBe('definition.formatVersion');
  });

  it('infers the provider of a seed-000 model name', () => {
    expect(providerForModel('claude-3-haiku')).toBe('anthropic');
    expect(providerForModel('gemini-1.5-pro')).toBe('google');
    expect(providerForModel('mixtral-8x7b')).toBe('mistral');
    expect(providerForModel('gpt-4o')).toBe('openai');
  });
});
