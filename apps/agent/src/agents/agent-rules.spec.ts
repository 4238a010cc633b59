import { canTransition, sameJson, snapshotOf } from './agent-rules.js';
import type { AgentEntity } from './agent.entity.js';

describe('agent rules', () => {
  it('allows only the status changes that make sense', () => {
    expect(canTransition('created', 'running')).toBe(true);
    expect(canTransition('running', 'error')).toBe(true);
    expect(canTransition('error', 'running')).toBe(true);
    expect(canTransition('stopped', 'running')).toBe(true);
    expect(canTransition('created', 'error')).toBe(false);
    expect(canTransition('stopped', 'error')).toBe(false);
    expect(canTransition('running', 'created')).toBe(false);
  });

  it('compares JSON by value, whatever the key order, ignoring undefined members', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ temperature: 0.2 }, { temperature: 0.3 })).toBe(false);
  });

  it('snapshots exactly the run fields, detached from the agent', () => {
    const agent = {
      name: 'not in the snapshot',
      icon: 'bot',
      agentType: 'assistive',
      modelProvider: 'openai',
      modelName: 'gpt-4o-mini',
      systemPrompt: 'Be brief.',
      tools: [{ kind: 'builtin', name: 'web_search' }],
      knowledgeBaseIds: [],
      memory: { strategy: 'window', size: 20 },
      configuration: { temperature: 0.2 },
    } as unknown as AgentEntity;
    const snapshot = snapshotOf(agent);
    expect(Object.keys(snapshot).sort()).toEqual(['agentType', 'configuration', 'knowledgeBaseIds', 'memory', 'modelName', 'modelProvider', 'systemPrompt', 'tools']);
    agent.configuration.temperature = 1;
    expect(snapshot.configuration.temperature).toBe(0.2);
  });
});
