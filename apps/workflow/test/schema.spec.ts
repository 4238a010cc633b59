import { driftAfterMigrations } from '#testing';
import { workflowApp } from '../src/workflow.app.js';

describe('workflow schema', () => {
  it('is described by its entities exactly as its migrations build it', async () => {
    expect(await driftAfterMigrations(workflowApp)).toEqual([]);
  });
});
