import { explain } from './problems.js';

describe('explain', () => {
  it('names what to do about a missing model, and links to the keys', () => {
    const e = explain({ code: 'MODEL_NOT_CONFIGURED', message: 'no API key for model provider "openai"' });
    expect(e).toMatchObject({ title: 'No model is configured for this agent', detail: 'no API key for model provider "openai"', action: { href: '#/keys' } });
  });

  it('says which limit a run reached', () => {
    expect(explain({ code: 'LIMIT_EXCEEDED', message: 'the run used 900 tokens', limit: 'maxTokens' }).title).toBe('The run stopped at its token limit');
    expect(explain({ code: 'LIMIT_EXCEEDED', message: 'x', limit: 'budget' }).title).toBe('The run stopped at its cost budget');
  });

  it("tells a rate limit's wait from Retry-After, and a provider's refusals apart by kind", () => {
    expect(explain({ code: 'RATE_LIMITED', detail: 'too many', retryAfter: 30 }).hint).toBe('Try again in 30 s.');
    expect(explain({ code: 'PROVIDER_ERROR', message: 'x', kind: 'authentication' })).toMatchObject({ title: 'The model provider refused the API key', action: { href: '#/keys' } });
    expect(explain({ code: 'PROVIDER_ERROR', message: 'x', kind: 'rate_limited' }).title).toBe("The model provider's rate limit was reached");
  });

  it('lists the fields a validation problem names', () => {
    const e = explain({ code: 'VALIDATION_FAILED', detail: 'request body is invalid', errors: [{ field: 'modelName', problems: ['modelName must not be empty'] }] });
    expect(e.hint).toBe('modelName: modelName must not be empty');
  });

  it("shows an unknown code's own message rather than nothing", () => {
    expect(explain({ code: 'SOMETHING_NEW', message: 'the thing went sideways' })).toMatchObject({ title: 'The thing went sideways', code: 'SOMETHING_NEW' });
  });
});
