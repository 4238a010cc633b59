import { driftAfterMigrations } from '#testing';
import { integrationApp } from '../src/integration.app.js';

describe('integration schema', () => {
  it('is described by its entities exactly as its migrations build it', async () => {
    expect(await driftAfterMigrations(integrationApp)).toEqual([]);
  });
});
