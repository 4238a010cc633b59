import { driftAfterMigrations } from '#testing';
import { executionApp } from '../src/execution.app.js';

describe('execution schema', () => {
  it('is described by its entities exactly as its migrations build it', async () => {
    expect(await driftAfterMigrations(executionApp)).toEqual([]);
  });
});
