import { driftAfterMigrations } from '#testing';
import { conversationApp } from '../src/conversation.app.js';

describe('conversation schema', () => {
  it('is described by its entities exactly as its migrations build it', async () => {
    expect(await driftAfterMigrations(conversationApp)).toEqual([]);
  });
});
