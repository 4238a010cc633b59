import { AppError } from '../errors.js';
import { ListAuditLogRequest } from '../identity/access.contracts.js';
import { ListProjectsRequest } from '../identity/account.contracts.js';
import { ListAgentsQuery } from '../agent/agents.contracts.js';
import { validatePayload } from '../validate.js';

async function fieldsOf(cls: new () => object, value: object): Promise<string[]> {
  try {
    await validatePayload(cls, value);
    return [];
  } catch (err) {
    return ((err as AppError).details?.errors as Array<{ field: string }>).map((e) => e.field);
  }
}

describe('PageQuery and the lists built on it', () => {
  it('turns a query-string limit into a number within 1..100 for every list', async () => {
    expect((await validatePayload(ListAgentsQuery, { limit: '5' })).limit).toBe(5);
    for (const cls of [ListAgentsQuery, ListProjectsRequest, ListAuditLogRequest]) {
      expect(await fieldsOf(cls, { limit: '0' })).toEqual(['limit']);
      expect(await fieldsOf(cls, { limit: '101' })).toEqual(['limit']);
    }
  });

  it('applies a subclass\'s stricter cursor check on top of the shared one', async () => {
    expect(await fieldsOf(ListAuditLogRequest, { cursor: 'not-a-uuid' })).toEqual(['cursor']);
    expect(await fieldsOf(ListAuditLogRequest, { cursor: '01a20978-2ffc-70d9-aaca-ad2e71c80e0c' })).toEqual([]);
    expect(await fieldsOf(ListProjectsRequest, { cursor: 'has spaces' })).toEqual(['cursor']);
    expect(await fieldsOf(ListAgentsQuery, { cursor: 'x'.repeat(201) })).toEqual(['cursor']);
  });
});
