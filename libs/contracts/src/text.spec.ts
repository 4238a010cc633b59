import { IsObject, IsOptional, IsString } from 'class-validator';
import { AppError } from './errors.js';
import { findTextProblem, MAX_JSON_DEPTH, storable, storableText } from './text.js';
import { validatePayload } from './validate.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

class Probe {
  @IsString() name: string;
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
}

describe('findTextProblem', () => {
  it('passes ordinary JSON, emoji and other astral characters included', () => {
    expect(findTextProblem({ name: 'Zoë 🦊', list: [1, 'two', { three: null }], deep: nested(MAX_JSON_DEPTH - 1) })).toBeUndefined();
  });

  it('names the field holding a NUL or a lone surrogate, in values and in keys', () => {
    expect(findTextProblem({ email: 'a\u0000b' })).toEqual({ field: 'email', problem: 'must not contain the NUL character (U+0000)' });
    expect(findTextProblem({ settings: { theme: ['ok', '\ud800'] } })).toEqual({ field: 'settings.theme.1', problem: 'must not contain a lone UTF-16 surrogate' });
    expect(findTextProblem({ meta: { 'k\u0000': 1 } })).toEqual({ field: 'meta', problem: 'has a key that must not contain the NUL character (U+0000)' });
    expect(findTextProblem({ low: '\udc00x' })?.field).toBe('low');
  });

  it('refuses nesting past the limit without overflowing the stack, however deep', () => {
    expect(findTextProblem({ config: nested(MAX_JSON_DEPTH) })?.problem).toBe(`must not nest deeper than ${MAX_JSON_DEPTH} levels`);
    expect(findTextProblem(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))?.problem).toMatch(/deeper than/);
  });
});

describe('validatePayload refuses unstorable text before the class sees it', () => {
  it('answers VALIDATION_FAILED naming the field, never echoing the value', async () => {
    const err = (await validatePayload(Probe, { name: 'secret\u0000value' }).catch((e: unknown) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details).toEqual({ errors: [{ field: 'name', problems: ['name must not contain the NUL character (U+0000)'] }] });
    expect(JSON.stringify(err.details) + err.message).not.toContain('secret');
    await expect(validatePayload(Probe, { name: 'x', metadata: nested(5000) as Record<string, unknown> })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(validatePayload(Probe, { name: 'fine' })).resolves.toMatchObject({ name: 'fine' });
  });
});

describe('storable', () => {
  it('replaces NULs and lone surrogates with U+FFFD and counts them; keeps pairs', () => {
    expect(storableText('a\u0000b\ud800c🦊')).toEqual({ text: 'a\uFFFDb\uFFFDc🦊', replaced: 2 });
    expect(storableText('clean')).toEqual({ text: 'clean', replaced: 0 });
  });

  it('returns the same object when nothing changes, and a fixed copy when something does', () => {
    const clean = { content: 'hi', toolCalls: [{ id: '1', arguments: '{}' }] };
    expect(storable(clean).value).toBe(clean);
    const dirty = { content: '\u0000\u0000', toolCalls: [{ id: '1', arguments: '{"q":"\ud800"}' }], n: 3 };
    const fixed = storable(dirty);
    expect(fixed).toEqual({ value: { content: '\uFFFD\uFFFD', toolCalls: [{ id: '1', arguments: '{"q":"\uFFFD"}' }], n: 3 }, replaced: 3 });
    expect(dirty.content).toBe('\u0000\u0000');
  });
});
