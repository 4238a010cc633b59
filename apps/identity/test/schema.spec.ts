import { driftAfterMigrations } from '#testing';
import { identityApp } from '../src/identity.app.js';

describe('identity schema', () => {
  it('is described by its entities exactly as its migrations build it', async () => {
    expect(await driftAfterMigrations(identityApp)).toEqual([]);
  });
});
