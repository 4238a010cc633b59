import type { ArgumentMetadata } from '@nestjs/common';
import { AgentIdRequest, AgentVersionRequest, AppError, ErrorCode, ListAgentsQuery, RefreshRequest } from '#contracts';
import { ContractValidationPipe } from './contract-validation.pipe.js';

const pipe = new ContractValidationPipe();

async function refusal(value: unknown, metadata: ArgumentMetadata): Promise<{ code: ErrorCode; message: string; fields: string[] }> {
  const err: unknown = await pipe.transform(value, metadata).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  const errors = (err.details?.errors ?? []) as Array<{ field: string }>;
  return { code: err.code, message: err.message, fields: errors.map((e) => e.field) };
}

/** What Fastify hands over for a query string or path parameters: an object without a prototype. */
function bare(values: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, values);
}

describe('ContractValidationPipe', () => {
  it('validates a body by its declared contract class and names the request body', async () => {
    expect(await refusal({ refreshToken: 'r', extra: 1 }, { type: 'body', metatype: RefreshRequest })).toEqual({
      code: ErrorCode.VALIDATION_FAILED,
      message: 'request body is invalid',
      fields: ['extra'],
    });
    expect(await refusal(undefined, { type: 'body', metatype: RefreshRequest })).toMatchObject({ message: 'request body is invalid', fields: ['refreshToken'] });
    expect(await refusal([], { type: 'body', metatype: RefreshRequest })).toMatchObject({ message: 'request body must be a JSON object', fields: [] });
    await expect(pipe.transform({ refreshToken: 'r' }, { type: 'body', metatype: RefreshRequest })).resolves.toBeInstanceOf(RefreshRequest);
  });

  it('validates a query string, converting numbers and refusing unknown parameters, and names the query string', async () => {
    const query = await pipe.transform(bare({ limit: '5', deleted: 'true' }), { type: 'query', metatype: ListAgentsQuery });
    expect(query).toBeInstanceOf(ListAgentsQuery);
    expect(query).toEqual(Object.assign(new ListAgentsQuery(), { limit: 5, deleted: 'true' }));
    expect(await refusal(bare({ limit: 'abc', owner: 'x' }), { type: 'query', metatype: ListAgentsQuery })).toEqual({
      code: ErrorCode.VALIDATION_FAILED,
      message: 'query string is invalid',
      fields: ['owner', 'limit'],
    });
  });

  it('validates path parameters and names the path', async () => {
    const id = '0190a6a0-0000-7000-8000-000000000001';
    expect(await pipe.transform(bare({ id, version: '3' }), { type: 'param', metatype: AgentVersionRequest })).toEqual(Object.assign(new AgentVersionRequest(), { id, version: 3 }));
    expect(await refusal(bare({ id: 'not-a-uuid' }), { type: 'param', metatype: AgentIdRequest })).toEqual({
      code: ErrorCode.VALIDATION_FAILED,
      message: 'path is invalid',
      fields: ['id'],
    });
  });

  it('passes through what has no contract class: custom decorators, named values and untyped arguments', async () => {
    const raw = { anything: true };
    await expect(pipe.transform(raw, { type: 'custom', metatype: AgentIdRequest })).resolves.toBe(raw);
    await expect(pipe.transform('not-a-uuid', { type: 'param', metatype: String, data: 'id' })).resolves.toBe('not-a-uuid');
    await expect(pipe.transform(raw, { type: 'body', metatype: Object })).resolves.toBe(raw);
    await expect(pipe.transform(raw, { type: 'query', metatype: undefined })).resolves.toBe(raw);
  });
});
