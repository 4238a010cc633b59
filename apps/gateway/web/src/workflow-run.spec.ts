import type { ServerEvent } from './sse.js';
import { applyWorkflowEvent, formFields, FormValueError, formValue, inputsSchema, newWorkflowRun, type WorkflowRunState } from './workflow-run.js';

const RUN = '0190a0b0-0000-7000-8000-000000000002';
const ev = (id: number, type: string, data: Record<string, unknown> = {}): ServerEvent => ({ id: String(id), type, data: { runId: RUN, seq: id, ...data } });

function play(events: ServerEvent[], start: WorkflowRunState = newWorkflowRun(RUN)): WorkflowRunState {
  let now = 1000;
  return events.reduce((run, event) => applyWorkflowEvent(run, event, (now += 100)), start);
}

describe('applyWorkflowEvent', () => {
  it('builds the node timeline: each visit with its status, time and output, a wait for a person, and the end', () => {
    const parked = play([
      ev(1, 'run.queued'),
      ev(2, 'run.started'),
      ev(3, 'node.started', { nodeId: 'write', type: 'llm', visit: 1 }),
      ev(4, 'node.completed', { nodeId: 'write', type: 'llm', visit: 1, output: 'A draft.' }),
      ev(5, 'node.started', { nodeId: 'review', type: 'human', visit: 1 }),
      ev(6, 'run.requires_action', {}),
    ]);
    expect(parked).toMatchObject({ status: 'requires_action', waiting: true, ended: false, lastEventId: 6 });
    expect(parked.nodes).toEqual([
      { nodeId: 'write', type: 'llm', visit: 1, status: 'completed', startedAt: 1300, durationMs: 100, output: 'A draft.' },
      { nodeId: 'review', type: 'human', visit: 1, status: 'waiting', startedAt: 1500 },
    ]);

    const done = play(
      [
        ev(7, 'run.resumed'),
        ev(8, 'node.completed', { nodeId: 'review', type: 'human', visit: 1, output: { approved: true } }),
        ev(9, 'node.started', { nodeId: 'loop', type: 'transform', visit: 1 }),
        ev(10, 'node.failed', { nodeId: 'loop', type: 'transform', visit: 1, error: { code: 'EXPRESSION_FAILED', message: 'nodes.loop: no such path' } }),
        ev(11, 'run.failed', { error: { code: 'EXPRESSION_FAILED', message: 'nodes.loop: no such path' }, usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3, costMicros: 4 } }),
      ],
      parked,
    );
    expect(done).toMatchObject({ status: 'failed', waiting: false, ended: true, error: { code: 'EXPRESSION_FAILED' }, usage: { totalTokens: 3 } });
    expect(done.nodes.map((n) => `${n.nodeId}:${n.status}`)).toEqual(['write:completed', 'review:completed', 'loop:failed']);
    expect(done.nodes[2].error).toBe('EXPRESSION_FAILED: nodes.loop: no such path');
  });

  it('keeps the visits of a node in a loop apart, and applies a replayed event once', () => {
    const run = play([
      ev(1, 'node.started', { nodeId: 'n', type: 'llm', visit: 1 }),
      ev(2, 'node.completed', { nodeId: 'n', type: 'llm', visit: 1, output: 'one' }),
      ev(3, 'node.started', { nodeId: 'n', type: 'llm', visit: 2 }),
    ]);
    const again = play([ev(2, 'node.completed', { nodeId: 'n', type: 'llm', visit: 1, output: 'changed' }), ev(3, 'node.started', { nodeId: 'n', type: 'llm', visit: 2 })], run);
    expect(again).toBe(run);
    expect(run.nodes.map((n) => [n.visit, n.status, n.output])).toEqual([
      [1, 'completed', 'one'],
      [2, 'running', undefined],
    ]);
  });
});

describe('forms from a JSON Schema', () => {
  const schema = {
    type: 'object',
    properties: {
      approved: { type: 'boolean', title: 'Approved' },
      score: { type: 'integer' },
      weight: { type: 'number' },
      colour: { type: 'string', enum: ['red', 'blue'] },
      note: { type: 'string', description: 'Why' },
      extra: { type: 'object' },
    },
    required: ['approved', 'score'],
  };

  it('turns each property into a field of the right kind, in order, marking the required ones', () => {
    expect(formFields(schema)).toEqual([
      { name: 'approved', label: 'Approved', kind: 'boolean', required: true },
      { name: 'score', label: 'score', kind: 'integer', required: true },
      { name: 'weight', label: 'weight', kind: 'number', required: false },
      { name: 'colour', label: 'colour', kind: 'choice', choices: ['red', 'blue'], required: false },
      { name: 'note', label: 'note', kind: 'text', required: false, description: 'Why' },
      { name: 'extra', label: 'extra', kind: 'json', required: false },
    ]);
    expect(formFields(null)).toEqual([]);
    expect(formFields({ type: 'object' })).toEqual([]);
  });

  it('reads the raw values as the answer: checkboxes, numbers, JSON; empty optional fields left out', () => {
    const fields = formFields(schema);
    expect(formValue(fields, { approved: true, score: '7', weight: '', colour: 'red', note: ' ok ', extra: '{"a":1}' })).toEqual({ approved: true, score: 7, colour: 'red', note: 'ok', extra: { a: 1 } });
    expect(formValue(fields, { score: '1' })).toEqual({ approved: false, score: 1 });
  });

  it('names the field it cannot read', () => {
    const fields = formFields(schema);
    const failure = (raw: Record<string, string | boolean>) => {
      try {
        formValue(fields, raw);
      } catch (err) {
        return err instanceof FormValueError ? [err.field, err.message] : err;
      }
      return null;
    };
    expect(failure({ score: '' })).toEqual(['score', 'score is required']);
    expect(failure({ score: '1.5' })).toEqual(['score', 'score must be a whole number']);
    expect(failure({ score: '1', weight: 'heavy' })).toEqual(['weight', 'weight must be a number']);
    expect(failure({ score: '1', extra: '{' })).toEqual(['extra', 'extra must be JSON']);
  });

  it("makes a workflow's declared inputs a form: required unless they have a default", () => {
    const fields = formFields(inputsSchema([{ name: 'topic', type: 'string', required: true }, { name: 'limit', type: 'integer', required: true, default: 3 }, { name: 'tags', type: 'array' }]));
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['topic', 'text', true],
      ['limit', 'integer', false],
      ['tags', 'json', false],
    ]);
  });
});
