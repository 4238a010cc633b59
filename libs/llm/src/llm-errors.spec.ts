import { ErrorCode } from '#contracts';
import { ModelProviderError, redactSecrets, toModelProviderError } from './llm-errors.js';

const classify = (error: unknown, signal?: AbortSignal) => toModelProviderError(error, { provider: 'groq', secrets: ['gsk_live_secret_value'], signal });
const withStatus = (status: number, message = `${status} failed`) => Object.assign(new Error(message), { status });

describe('model provider errors', () => {
  it('classifies HTTP statuses into kinds and stable error codes', () => {
    expect(classify(withStatus(401))).toMatchObject({ kind: 'authentication', code: ErrorCode.UNAVAILABLE, retryable: false });
    expect(classify(withStatus(403)).kind).toBe('authentication');
    expect(classify(withStatus(404, 'The model `nope` does not exist'))).toMatchObject({ kind: 'bad_request', code: ErrorCode.VALIDATION_FAILED });
    expect(classify(withStatus(422)).kind).toBe('bad_request');
    expect(classify(withStatus(429))).toMatchObject({ kind: 'rate_limited', code: ErrorCode.RATE_LIMITED, retryable: true });
    expect(classify(withStatus(503))).toMatchObject({ kind: 'server', retryable: true, status: 503 });
  });

  it('classifies cancellations, timeouts, network failures and nonsense', () => {
    const controller = new AbortController();
    controller.abort();
    expect(classify(new Error('Connection error.'), controller.signal).kind).toBe('aborted');
    expect(classify(Object.assign(new Error('Request timed out.'), { name: 'TimeoutError' })).kind).toBe('timeout');
    expect(classify(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })).kind).toBe('connection');
    expect(classify(Object.assign(new Error('too long'), { name: 'ContextOverflowError', status: 400 })).kind).toBe('context_overflow');
    expect(classify(new TypeError("Cannot read properties of undefined (reading 'message')")).kind).toBe('invalid_response');
    expect(classify('a string was thrown').kind).toBe('invalid_response');
    // Anthropic's SSE error event: no status, only its error type.
    expect(classify(Object.assign(new Error('Overloaded'), { type: 'overloaded_error' }))).toMatchObject({ kind: 'server', retryable: true });
    expect(classify(Object.assign(new Error('slow down'), { type: 'rate_limit_error' })).kind).toBe('rate_limited');
    expect(classify(Object.assign(new Error('odd'), { type: 'constructor' })).kind).toBe('invalid_response');
    const already = new ModelProviderError('groq', 'server', 'x');
    expect(classify(already)).toBe(already);
  });

  it('scrubs the key and key-shaped strings, and keeps messages short', () => {
    const error = classify(withStatus(401, `Incorrect API key provided: gsk_live_secret_value (Authorization: Bearer abc.def) also sk-proj-AAAAAAAAAAAA ${'x'.repeat(1000)}`));
    expect(error.message).not.toContain('gsk_live_secret_value');
    expect(error.message).not.toContain('abc.def');
    expect(error.message).not.toContain('sk-proj-AAAAAAAAAAAA');
    expect(error.message.length).toBeLessThan(400);
    expect(error.toBody()).toEqual({ code: ErrorCode.UNAVAILABLE, message: error.message, details: { provider: 'groq', kind: 'authentication', status: 401, retryable: false } });
    expect(redactSecrets('key=s3cr3t-value!', ['s3cr3t-value'])).toBe('key=[redacted]!');
  });
});
