import { randomUUID } from 'node:crypto';
import { AccountContracts, type Actor, type Envelope, type RpcContract, RunWriteContracts, type StartRunRequest, RunContracts, type RunView, type StartWorkflowRunRequest, type WorkflowDefinition } from '#contracts';
import { InProcessBus } from '#messaging';
import { FakeOpenAiServer, query, type RecordedRequest } from '#testing';
import { RunRetention } from '../src/run-engine/run-retention.js';
import { RunEventsService } from '../src/run-events/run-events.service.js';
import { type ExecutionUnderTest, fieldsOf, outcomeOf, OwnedTargets, startExecution } from './support/execution-spec.js';

type Node = WorkflowDefinition['nodes'][number];
type Edge = WorkflowDefinition['edges'][number];

/** A definition with the given nodes and edges; inputs `topic` (text) and `n` (integer). */
function workflow(nodes: Node[], edges: Edge[], state: WorkflowDefinition['state'] = []): WorkflowDefinition {
  return {
    inputs: [
      { name: 'topic', type: 'string', required: true },
      { name: 'n', type: 'integer', default: 2 },
    ],
    outputs: [{ name: 'result', type: 'any' }],
    state,
    nodes,
    edges,
  };
}

const llm = (id: string, promptTemplate: string, output?: string): Node => ({
  id,
  type: 'llm',
  config: { provider: 'openai', model: 'gpt-4o-mini', promptTemplate, ...(output ? { output } : {}) },
});

/** The fake model echoes the prompt it was sent, so a test reads what each node asked. */
const echo = (request: RecordedRequest) => ({ kind: 'text' as const, text: `echo(${String(request.body.messages.at(-1).content)})`, usage: { promptTokens: 10, completionTokens: 5 } });

/**
 * Workflow runs on the real queue and workers, the real database and the in-process bus, against
 * a fake OpenAI-compatible model over real HTTP. The workflow and agent services are stand-ins
 * that own what the spec registered.
 */
describe('workflow runs', () => {
  let fake: FakeOpenAiServer;
  let execution: ExecutionUnderTest;
  const targets = new OwnedTargets();
  const stops: Array<() => void> = [];
  const written: Array<{ runId: string; role: string; content: string; step: number; parentId?: string }> = [];
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => execution.runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const start = (actor: Actor, request: Partial<StartWorkflowRunRequest>) => call(RunContracts.startWorkflow, request as StartWorkflowRunRequest, actor);
  const settled = (actor: Actor, run: RunView) => call(RunContracts.wait, { id: run.id, waitMs: 15_000 }, actor);
  const events = (runId: string) => execution.service.app.get(RunEventsService).read(runId, 0, 0);
  const nodeEvents = async (runId: string) =>
    (await events(runId)).filter((e) => e.type.startsWith('node.')).map((e) => `${e.type}:${(e.data as { nodeId: string }).nodeId}`);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    targets.respond();
    // The identity service: no user has a stored provider key, so the platform's key is used.
    const bus = InProcessBus.shared();
    stops.push(
      bus.respond(AccountContracts.revealProviderKey.subject, async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'provider key not found' } })),
      // The conversation service's run writes: recorded, answered with ids.
      bus.respond(RunWriteContracts.appendUserMessage.subject, async (raw) => {
        const { data } = raw as Envelope<{ runId: string; conversationId: string; content: string; step: number }>;
        written.push({ runId: data.runId, role: 'user', content: data.content, step: data.step });
        return { ok: true, data: { id: `00000000-0000-4000-8000-${data.runId.slice(-12)}`, role: 'user', content: data.content } };
      }),
      bus.respond(RunWriteContracts.appendMessages.subject, async (raw) => {
        const { data } = raw as Envelope<{ runId: string; parentId?: string; messages: Array<{ step: number; role: string; content: string }> }>;
        for (const m of data.messages) written.push({ runId: data.runId, role: m.role, content: m.content, step: m.step, parentId: data.parentId });
        return { ok: true, data: { items: data.messages.map(() => ({ id: randomUUID() })) } };
      }),
    );
    execution = await startExecution('workflowruns', {
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_API_KEY: 'sk-platform-env-key',
      EXECUTION_WORKER_CONCURRENCY: '4',
      EXECUTION_POLL_MS: '200',
      EXECUTION_MODEL_MAX_RETRIES: '0',
      EXECUTION_MAX_ATTEMPTS: '1',
    });
  });

  afterAll(async () => {
    for (const stop of stops) stop();
    targets.stop();
    await execution?.close();
    await fake?.stop();
  });

  beforeEach(() => {
    fake.reset();
    fake.setDefaultReply(echo);
  });

  it('runs five nodes in order, each a step with node events, and answers the declared outputs', async () => {
    const user = newUser();
    const workflowId = targets.workflowOf(
      user,
      workflow(
        [
          { id: 'start', type: 'start' },
          llm('draft', 'Write about {{ inputs.topic }}', 'draft'),
          { id: 'count', type: 'transform', config: { set: { size: 'len(state.draft) * inputs.n' } } },
          { id: 'calc', type: 'tool', config: { tool: { kind: 'builtin', name: 'calculator' }, arguments: { expression: '{{ state.size }} + 1' }, output: 'sum' } },
          { id: 'out', type: 'output', config: { values: { result: 'state.sum' } } },
        ],
        [
          { from: 'start', to: 'draft' },
          { from: 'draft', to: 'count' },
          { from: 'count', to: 'calc' },
          { from: 'calc', to: 'out' },
        ],
        [
          { name: 'draft', type: 'string' },
          { name: 'size', type: 'number' },
          { name: 'sum', type: 'string' },
        ],
      ),
    );
    const run = await start(user, { workflowId, inputs: { topic: 'tides' } });
    expect(run).toMatchObject({ status: expect.stringMatching(/^(pending|running)$/), workflowId, workflowVersion: 3, agentId: null, input: { inputs: { topic: 'tides', n: 2 } } });
    const done = await settled(user, run);
    const draft = 'echo(Write about tides)';
    expect(done).toMatchObject({ status: 'completed', output: { result: String(draft.length * 2 + 1) }, usage: { promptTokens: 10, completionTokens: 5 } });
    const steps = (await call(RunContracts.steps, { id: run.id }, user)).items;
    expect(steps.map((s) => [s.key, s.type, s.status])).toEqual([
      ['node:start:1', 'decision', 'completed'],
      ['node:draft:1', 'decision', 'completed'],
      ['node:draft:1/llm', 'llm_call', 'completed'],
      ['node:count:1', 'decision', 'completed'],
      ['node:calc:1', 'decision', 'completed'],
      ['node:calc:1/tool', 'tool', 'completed'],
      ['node:out:1', 'decision', 'completed'],
    ]);
    expect(await nodeEvents(run.id)).toEqual(['start', 'draft', 'count', 'calc', 'out'].flatMap((id) => [`node.started:${id}`, `node.completed:${id}`]));
    expect(fake.completions).toHaveLength(1);
  });

  it('runs the branches of a node side by side, joins them, and follows the branch a condition takes', async () => {
    const user = newUser();
    const definition = workflow(
      [
        { id: 'start', type: 'start' },
        llm('left', 'left {{ inputs.topic }}', 'a'),
        llm('right', 'right {{ inputs.topic }}', 'b'),
        { id: 'join', type: 'transform', config: { set: { both: 'state.a + " & " + state.b' } } },
        { id: 'check', type: 'condition', config: { branches: [{ name: 'long', when: 'len(state.both) > inputs.n' }] } },
        { id: 'long', type: 'output', config: { values: { result: 'state.both' } } },
        { id: 'short', type: 'output', config: { values: { result: '"short"' } } },
      ],
      [
        { from: 'start', to: 'left' },
        { from: 'start', to: 'right' },
        { from: 'left', to: 'join' },
        { from: 'right', to: 'join' },
        { from: 'join', to: 'check' },
        { from: 'check', to: 'long', branch: 'long' },
        { from: 'check', to: 'short', branch: 'default' },
      ],
      [
        { name: 'a', type: 'string' },
        { name: 'b', type: 'string' },
        { name: 'both', type: 'string' },
      ],
    );
    const workflowId = targets.workflowOf(user, definition);
    // Both model calls are in flight at once: the second arrives while the first still streams.
    let overlapped = false;
    fake.setDefaultReply((request) => {
      if (fake.completions.length === 2) overlapped = !fake.completions[0].finished;
      return { ...echo(request), text: ['echo(', String(request.body.messages.at(-1).content), ')'], chunkDelayMs: 150 };
    });
    const run = await start(user, { workflowId, inputs: { topic: 'x' } });
    const done = await settled(user, run);
    expect(done).toMatchObject({ status: 'completed', output: { result: 'echo(left x) & echo(right x)' } });
    expect(overlapped).toBe(true);
    const nodes = await nodeEvents(run.id);
    expect(nodes.filter((e) => e.startsWith('node.completed'))).toEqual(expect.arrayContaining(['node.completed:left', 'node.completed:right']));
    expect(nodes.slice(-6)).toEqual(['node.started:join', 'node.completed:join', 'node.started:check', 'node.completed:check', 'node.started:long', 'node.completed:long']);
    expect(nodes).not.toContain('node.started:short');
    // The other branch: a number that makes the text short.
    fake.setDefaultReply(echo);
    const other = await settled(user, await start(user, { workflowId, inputs: { topic: 'x', n: 1000 } }));
    expect(other.output).toEqual({ result: 'short' });
  });

  it('runs a loop up to its bound, and fails the run naming the limit beyond it', async () => {
    const user = newUser();
    const looping = (bound: number) =>
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'inc', type: 'transform', config: { set: { i: 'state.i + 1' } } },
          { id: 'again', type: 'condition', config: { branches: [{ name: 'more', when: 'state.i < inputs.n' }] } },
          { id: 'out', type: 'output', config: { values: { result: 'state.i' } } },
        ],
        [
          { from: 'start', to: 'inc' },
          { from: 'inc', to: 'again' },
          { from: 'again', to: 'inc', branch: 'more', maxIterations: bound },
          { from: 'again', to: 'out', branch: 'default' },
        ],
        [{ name: 'i', type: 'integer', default: 0 }],
      );
    const within = targets.workflowOf(user, looping(5));
    expect(await settled(user, await start(user, { workflowId: within, inputs: { topic: 't', n: 4 } }))).toMatchObject({ status: 'completed', output: { result: 4 } });
    const three = await settled(user, await start(user, { workflowId: within, inputs: { topic: 't', n: 3 } }));
    const keys = (await call(RunContracts.steps, { id: three.id }, user)).items.map((s) => s.key);
    expect(keys).toEqual(['node:start:1', 'node:inc:1', 'node:again:1', 'node:inc:2', 'node:again:2', 'node:inc:3', 'node:again:3', 'node:out:1']);
    const beyond = await settled(user, await start(user, { workflowId: targets.workflowOf(user, looping(2)), inputs: { topic: 't', n: 10 } }));
    expect(beyond).toMatchObject({ status: 'failed', error: { code: 'LIMIT_EXCEEDED', limit: 'maxIterations' } });
  });

  it('runs an agent node with the agent’s tools, its calls steps of the run', async () => {
    const user = newUser();
    const agentId = targets.agentOf(user, undefined, [{ kind: 'builtin', name: 'calculator' }]);
    const workflowId = targets.workflowOf(
      user,
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'ask', type: 'agent', config: { agentId, inputTemplate: 'What is {{ inputs.n }} times 7?', output: 'answer' } },
          { id: 'out', type: 'output', config: { values: { result: 'state.answer' } } },
        ],
        [
          { from: 'start', to: 'ask' },
          { from: 'ask', to: 'out' },
        ],
        [{ name: 'answer', type: 'string' }],
      ),
    );
    fake.replyToolCalls([{ id: 'call_1', name: 'calculator', arguments: { expression: '2 * 7' } }]).replyText('It is 14.');
    const done = await settled(user, await start(user, { workflowId, inputs: { topic: 't' } }));
    expect(done).toMatchObject({ status: 'completed', output: { result: 'It is 14.' } });
    const steps = (await call(RunContracts.steps, { id: done.id }, user)).items.map((s) => s.key);
    expect(steps).toEqual(['node:start:1', 'node:ask:1', 'node:ask:1/llm:1', 'node:ask:1/tool:call_1', 'node:ask:1/llm:2', 'node:out:1']);
    expect(fake.completions[0].body.messages.at(-1)).toEqual({ role: 'user', content: 'What is 2 times 7?' });
    expect(fake.completions[1].body.messages.at(-1)).toEqual({ role: 'tool', content: '14', tool_call_id: 'call_1' });
  });

  it('holds the run’s limits across its nodes', async () => {
    const user = newUser();
    const workflowId = targets.workflowOf(
      user,
      workflow(
        [{ id: 'start', type: 'start' }, llm('one', 'one'), llm('two', 'two'), { id: 'out', type: 'output', config: { values: { result: 'nodes.two.output' } } }],
        [
          { from: 'start', to: 'one' },
          { from: 'one', to: 'two' },
          { from: 'two', to: 'out' },
        ],
      ),
    );
    const done = await settled(user, await start(user, { workflowId, inputs: { topic: 't' }, limits: { maxSteps: 1 } }));
    expect(done).toMatchObject({ status: 'failed', error: { code: 'LIMIT_EXCEEDED', limit: 'maxSteps' } });
    expect(fake.completions).toHaveLength(1);
    expect(await nodeEvents(done.id)).toContain('node.failed:two');
  });

  it('fails a node with a clear code: an expression that cannot be evaluated, a knowledge node with no knowledge service', async () => {
    const user = newUser();
    const bad = targets.workflowOf(
      user,
      workflow(
        [{ id: 'start', type: 'start' }, { id: 'out', type: 'output', config: { values: { result: 'inputs.topic / 0' } } }],
        [{ from: 'start', to: 'out' }],
      ),
    );
    expect(await settled(user, await start(user, { workflowId: bad, inputs: { topic: 't' } }))).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_FAILED' } });
    const knowledge = targets.workflowOf(
      user,
      workflow(
        [
          { id: 'start', type: 'start' },
          { id: 'find', type: 'knowledge', config: { knowledgeBaseIds: [randomUUID()], queryTemplate: '{{ inputs.topic }}' } },
          { id: 'out', type: 'output', config: { values: { result: 'nodes.find.output' } } },
        ],
        [
          { from: 'start', to: 'find' },
          { from: 'find', to: 'out' },
        ],
      ),
    );
    expect(await settled(user, await start(user, { workflowId: knowledge, inputs: { topic: 't' } }))).toMatchObject({ status: 'failed', error: { code: 'KNOWLEDGE_UNAVAILABLE' } });
  });

  it('cancels a run whose node waits on the model, at once', async () => {
    const user = newUser();
    const workflowId = targets.workflowOf(
      user,
      workflow([{ id: 'start', type: 'start' }, llm('slow', 'slow'), { id: 'out', type: 'output', config: { values: { result: '1' } } }], [
        { from: 'start', to: 'slow' },
        { from: 'slow', to: 'out' },
      ]),
    );
    fake.setDefaultReply({ kind: 'hang' });
    const run = await start(user, { workflowId, inputs: { topic: 't' }, background: true });
    await fake.waitForCompletions(1);
    const cancelled = await call(RunContracts.cancel, { id: run.id }, user);
    expect(cancelled.status).toBe('cancelled');
    await fake.waitForDisconnect(fake.completions[0]);
  });

  it('answers 400 naming the input for bad inputs, and 404 for another user’s workflow', async () => {
    const owner = newUser();
    const workflowId = targets.workflowOf(owner, workflow([{ id: 'start', type: 'start' }], []));
    const bad = await outcomeOf(start(owner, { workflowId, inputs: { n: 'two', extra: 1 } }));
    expect(bad.code).toBe('VALIDATION_FAILED');
    expect(fieldsOf(bad.details)).toEqual(['inputs.extra', 'inputs.topic', 'inputs.n']);
    expect((await outcomeOf(start(newUser(), { workflowId, inputs: { topic: 't' } }))).code).toBe('NOT_FOUND');
    expect((await outcomeOf(start(owner, { workflowId: randomUUID(), inputs: { topic: 't' } }))).code).toBe('NOT_FOUND');
    expect(fieldsOf((await outcomeOf(start(owner, { workflowId: 'nope', inputs: {} }))).details)).toEqual(['workflowId']);
    expect(fieldsOf((await outcomeOf(start(owner, { workflowId, inputs: [] as never }))).details)).toEqual(['inputs']);
  });
  it('runs the workflow of a conversation on a message: the message fills the first text input, and the answer is written to the conversation', async () => {
    const user = newUser();
    const workflowId = targets.workflowOf(
      user,
      workflow([{ id: 'start', type: 'start' }, llm('answer', 'Answer: {{ inputs.topic }}', 'text'), { id: 'out', type: 'output', config: { values: { result: 'state.text' } } }], [
        { from: 'start', to: 'answer' },
        { from: 'answer', to: 'out' },
      ], [{ name: 'text', type: 'string' }]),
    );
    const conversationId = targets.conversationOf(user, { workflowId });
    const message = (request: Partial<StartRunRequest>) => call(RunContracts.start, { conversationId, input: 'hello', ...request } as StartRunRequest, user);
    const run = await message({});
    expect(run).toMatchObject({ workflowId, conversationId, agentId: null, input: { inputs: { topic: 'hello', n: 2 }, message: 'hello' } });
    const done = await settled(user, run);
    expect(done).toMatchObject({ status: 'completed', output: { content: 'echo(Answer: hello)', outputs: { result: 'echo(Answer: hello)' }, messageId: expect.any(String) } });
    const userMessageId = (done.output as { userMessageId: string }).userMessageId;
    expect(written.filter((w) => w.runId === run.id)).toEqual([
      { runId: run.id, role: 'user', content: 'hello', step: 0 },
      { runId: run.id, role: 'assistant', content: 'echo(Answer: hello)', step: 1, parentId: userMessageId },
    ]);
    // What applies to agents only is refused, naming the field; another user's conversation is not found.
    for (const field of ['tools', 'variables', 'apiKey'] as const) {
      const value = field === 'tools' ? [{ name: 't', description: 'd' }] : field === 'variables' ? { a: 'b' } : 'sk-x';
      expect(fieldsOf((await outcomeOf(message({ [field]: value }))).details)).toEqual([field]);
    }
    expect((await outcomeOf(call(RunContracts.start, { conversationId, input: 'hi' } as StartRunRequest, newUser()))).code).toBe('NOT_FOUND');
    // A workflow with no text input has nothing for a message to fill.
    const numeric = targets.workflowOf(user, { ...workflow([{ id: 'start', type: 'start' }], []), inputs: [{ name: 'n', type: 'integer' }] });
    const numericConversation = targets.conversationOf(user, { workflowId: numeric });
    expect((await outcomeOf(call(RunContracts.start, { conversationId: numericConversation, input: 'hi' } as StartRunRequest, user))).code).toBe('CONFLICT');
  });

  it('prunes the journals and events of runs that ended before the retention period, keeping the runs and any run still waiting', async () => {
    const user = newUser();
    const linear = targets.workflowOf(
      user,
      workflow([{ id: 'start', type: 'start' }, llm('say', 'say'), { id: 'out', type: 'output', config: { values: { result: 'nodes.say.output' } } }], [
        { from: 'start', to: 'say' },
        { from: 'say', to: 'out' },
      ]),
    );
    const waiting = targets.workflowOf(
      user,
      workflow([{ id: 'start', type: 'start' }, { id: 'ask', type: 'human', config: { promptTemplate: 'ok?', schema: { type: 'object' } } }], [{ from: 'start', to: 'ask' }]),
    );
    const ended = await settled(user, await start(user, { workflowId: linear, inputs: { topic: 't' } }));
    const parked = await settled(user, await start(user, { workflowId: waiting, inputs: { topic: 't' } }));
    expect(parked.status).toBe('requires_action');
    const retention = execution.service.app.get(RunRetention);
    const stepsOf = async (id: string) => (await call(RunContracts.steps, { id }, user)).items.length;
    await retention.prune(new Date());
    expect(await stepsOf(ended.id)).toBeGreaterThan(0); // within retention (90 days): nothing goes
    const removed = await retention.prune(new Date(Date.now() + 91 * 86_400_000));
    expect(removed.steps).toBeGreaterThanOrEqual(4);
    expect(await stepsOf(ended.id)).toBe(0);
    expect(await events(ended.id)).toEqual([]);
    expect(await call(RunContracts.get, { id: ended.id }, user)).toMatchObject({ status: 'completed', output: { result: 'echo(say)' } });
    expect(await stepsOf(parked.id)).toBeGreaterThan(0);
    expect((await events(parked.id)).length).toBeGreaterThan(0);
  });

  describe('human in the loop', () => {
    const form = { type: 'object', properties: { approved: { type: 'boolean' }, note: { type: 'string', maxLength: 20 } }, required: ['approved'], additionalProperties: false };
    const reviewed = () =>
      workflow(
        [
          { id: 'start', type: 'start' },
          llm('draft', 'Draft {{ inputs.topic }}', 'draft'),
          { id: 'review', type: 'human', config: { promptTemplate: 'Approve "{{ state.draft }}"?', schema: form, output: 'verdict' } },
          { id: 'out', type: 'output', config: { values: { result: 'state.draft + " / " + string(state.verdict.approved) + " / " + state.verdict.note' } } },
        ],
        [
          { from: 'start', to: 'draft' },
          { from: 'draft', to: 'review' },
          { from: 'review', to: 'out' },
        ],
        [
          { name: 'draft', type: 'string' },
          { name: 'verdict', type: 'object' },
        ],
      );

    it('parks the run at a human node, checks the answer against the form, continues once with it, and answers 409 to a second resume', async () => {
      const user = newUser();
      const workflowId = targets.workflowOf(user, reviewed());
      const run = await start(user, { workflowId, inputs: { topic: 'tides' }, background: true });
      const parked = await settled(user, run);
      expect(parked).toMatchObject({
        status: 'requires_action',
        requiredAction: { type: 'human_input', nodeId: 'review', prompt: 'Approve "echo(Draft tides)"?', schema: form },
      });
      // A background run tells its owner it waits.
      const notes = await query<{ kind: string }>(
        execution.databaseUrl,
        `SELECT envelope->'data'->>'kind' AS kind FROM execution.outbox WHERE envelope->'data'->>'userId' = $1 AND envelope->'data'->>'link' = $2`,
        [user.userId, `/runs/${run.id}`],
      );
      expect(notes.map((n) => n.kind)).toEqual(['run.requires_action']);

      const resume = (body: Record<string, unknown>, actor = user) => call(RunContracts.resume, { id: run.id, ...body }, actor);
      const bad = await outcomeOf(resume({ input: { approved: 'yes', note: 'x'.repeat(21), extra: 1 } }));
      expect(bad.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(bad.details)).toEqual(['input.approved', 'input.note', 'input.extra']);
      expect(fieldsOf((await outcomeOf(resume({ input: {} }))).details)).toEqual(['input.approved']);
      expect((await outcomeOf(resume({ toolOutputs: [{ toolCallId: 'c', output: 'o' }] }))).code).toBe('CONFLICT');
      expect((await outcomeOf(resume({ input: { approved: true } }, newUser()))).code).toBe('NOT_FOUND');

      expect((await resume({ input: { approved: true, note: 'fine' } })).status).toBe('pending');
      expect((await outcomeOf(resume({ input: { approved: false } }))).code).toBe('CONFLICT');
      const done = await settled(user, run);
      expect(done).toMatchObject({ status: 'completed', output: { result: 'echo(Draft tides) / true / fine' } });
      // The model was called once: the second attempt replayed the draft from the journal.
      expect(fake.completions).toHaveLength(1);
      const stream = await events(run.id);
      expect(stream.map((e) => e.seq)).toEqual(stream.map((_, i) => i + 1));
      const types = stream.map((e) => (e.type.startsWith('node.') ? `${e.type}:${(e.data as { nodeId: string }).nodeId}` : e.type));
      expect(types.slice(types.indexOf('node.started:review'))).toEqual([
        'node.started:review',
        'run.requires_action',
        'run.resumed',
        'node.completed:review',
        'run.started',
        'node.started:out',
        'step.started',
        'step.completed',
        'node.completed:out',
        'run.completed',
      ]);
      const steps = (await call(RunContracts.steps, { id: run.id }, user)).items.map((s) => [s.key, s.type]);
      expect(steps).toContainEqual(['node:review:1', 'human_input']);
    });
  });
});
