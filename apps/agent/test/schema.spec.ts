import { driftAfterMigrations } from '#testing';
import { agentApp } from '../src/agent.app.js';

describe('agent schema', () => {
  it('is described by its entities exactly as its migrations build it', async () => {
    expect(await driftAfterMigrations(agentApp)).toEqual([]);
  });
});
