import type { WorkflowDefinition } from '#contracts';
import { diffDefinitions } from './definition-diff.js';
import { definitionProblems, referencesOf } from './definition-rules.js';

/** A small valid workflow: start -> summarise (llm) -> check (condition) -> done (output) | retry loop. */
function sample(): WorkflowDefinition {
  return {
    inputs: [{ name: 'topic', type: 'string', required: true }],
    outputs: [{ name: 'summary', type: 'string' }],
    state: [{ name: 'draft', type: 'string' }],
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'summarise', type: 'llm', config: { provider: 'openai', model: 'gpt-4o-mini', promptTemplate: 'Summarise {{ inputs.topic }}', output: 'draft' } },
      { id: 'check', type: 'condition', config: { branches: [{ name: 'short', when: 'len(state.draft) < 500' }] } },
      { id: 'done', type: 'output', config: { values: { summary: 'state.draft' } } },
    ],
    edges: [
      { from: 'start', to: 'summarise' },
      { from: 'summarise', to: 'check' },
      { from: 'check', to: 'done', branch: 'short' },
      { from: 'check', to: 'summarise', branch: 'default', maxIterations: 3 },
    ],
  };
}

const fields = (d: WorkflowDefinition) => definitionProblems(d).map((p) => p.field);

describe('definitionProblems', () => {
  it('accepts a valid workflow with a bounded loop', () => {
    expect(definitionProblems(sample())).toEqual([]);
  });

  it('refuses an unknown node type, naming the node and the field', () => {
    const d = sample();
    d.nodes.push({ id: 'mystery', type: 'teleport' as never });
    d.edges.push({ from: 'start', to: 'mystery' });
    expect(definitionProblems(d)).toContainEqual({ field: 'nodes[mystery].type', nodeId: 'mystery', problems: [expect.stringContaining('unknown node type "teleport"')] });
  });

  it('refuses edges to and from missing nodes', () => {
    const d = sample();
    d.edges.push({ from: 'summarise', to: 'ghost' }, { from: 'nowhere', to: 'done' });
    expect(fields(d)).toEqual(['edges[4].to', 'edges[5].from']);
  });

  it('refuses unreachable nodes and outputs no path reaches', () => {
    const d = sample();
    d.nodes.push({ id: 'island', type: 'transform', config: { set: { draft: "'x'" } } }, { id: 'lonely', type: 'output', config: { values: {} } });
    d.edges.push({ from: 'island', to: 'lonely' });
    const problems = definitionProblems(d);
    expect(problems.map((p) => p.field)).toEqual(['nodes[island]', 'nodes[lonely]']);
    expect(problems[1].problems[0]).toMatch(/no path from the start node reaches this output node/);
  });

  it('refuses a cycle without a bound, at the edge that closes it', () => {
    const d = sample();
    delete d.edges[3].maxIterations;
    const problems = definitionProblems(d);
    expect(problems.map((p) => p.field)).toEqual(['edges[3].maxIterations']);
    expect(problems[0].problems[0]).toMatch(/summarise -> check -> summarise/);
  });

  it('refuses references to undeclared inputs, variables and nodes', () => {
    const d = sample();
    d.nodes[1].config = { ...d.nodes[1].config, promptTemplate: 'About {{ inputs.subject }}' };
    d.nodes[2].config = { branches: [{ name: 'short', when: 'state.missing == 1' }] };
    d.nodes[3].config = { values: { summary: 'nodes.nope.output' } };
    expect(definitionProblems(d)).toEqual([
      { field: 'nodes[summarise].config.promptTemplate', nodeId: 'summarise', problems: [expect.stringContaining('"subject" is not a declared input')] },
      { field: 'nodes[check].config.branches[0].when', nodeId: 'check', problems: [expect.stringContaining('"missing" is not a declared state variable')] },
      { field: 'nodes[done].config.values.summary', nodeId: 'done', problems: [expect.stringContaining('there is no node "nope"')] },
    ]);
  });

  it('refuses bad expressions, missing and unknown settings, and undeclared output names', () => {
    const d = sample();
    d.nodes[1].config = { provider: 'openai', promptTemplate: '{{ inputs.topic', colour: 'red' };
    d.nodes[3].config = { values: { total: '1 +' } };
    expect(fields(d)).toEqual([
      'nodes[summarise].config.colour',
      'nodes[summarise].config.model',
      'nodes[summarise].config.promptTemplate',
      'nodes[done].config.values.total',
      'nodes[done].config.values.total',
    ]);
  });

  it('refuses a condition edge without a branch, a branch on a plain edge, and two start nodes', () => {
    const d = sample();
    delete d.edges[2].branch;
    d.edges[0].branch = 'x';
    d.nodes.push({ id: 'start2', type: 'start' });
    expect(fields(d)).toEqual(['nodes', 'edges[0].branch', 'edges[2].branch']);
  });

  it('lists the agents, tools and knowledge bases a definition names', () => {
    const d = sample();
    d.nodes.push(
      { id: 'ask', type: 'agent', config: { agentId: '0190f5d4-0000-7000-8000-000000000001', inputTemplate: '{{ state.draft }}' } },
      { id: 'clock', type: 'tool', config: { tool: { kind: 'builtin', name: 'current_time' }, arguments: {} } },
      { id: 'look', type: 'knowledge', config: { knowledgeBaseIds: ['0190f5d4-0000-7000-8000-000000000002'], queryTemplate: 'x' } },
    );
    const refs = referencesOf(d);
    expect(refs.agents).toEqual([{ nodeId: 'ask', field: 'nodes[ask].config.agentId', agentId: '0190f5d4-0000-7000-8000-000000000001', version: undefined }]);
    expect(refs.tools.map((t) => t.ref.name)).toEqual(['current_time']);
    expect(refs.knowledgeBases.map((k) => k.field)).toEqual(['nodes[look].config.knowledgeBaseIds[0]']);
  });
});

describe('diffDefinitions', () => {
  it('names nodes and edges added, removed and changed, and declared names', () => {
    const a = sample();
    const b = sample();
    b.nodes[1].config = { ...b.nodes[1].config, promptTemplate: 'Briefly: {{ inputs.topic }}' };
    b.nodes.splice(2, 1);
    b.nodes.push({ id: 'polish', type: 'transform', config: { set: { draft: 'trim(state.draft)' } } });
    b.edges = [
      { from: 'start', to: 'summarise' },
      { from: 'summarise', to: 'polish' },
      { from: 'polish', to: 'done' },
    ];
    b.state.push({ name: 'notes', type: 'array' });
    const diff = diffDefinitions(1, a, 2, b);
    expect(diff.nodes).toEqual({ added: ['polish'], removed: ['check'], changed: [{ id: 'summarise', fields: ['config.promptTemplate'] }] });
    expect(diff.edges.added).toEqual([
      { from: 'summarise', to: 'polish' },
      { from: 'polish', to: 'done' },
    ]);
    expect(diff.edges.removed.map((e) => `${e.from}->${e.to}`)).toEqual(['summarise->check', 'check->done', 'check->summarise']);
    expect(diff.state).toEqual({ added: ['notes'], removed: [], changed: [] });
  });

  it('reports a changed loop bound as a changed edge', () => {
    const b = sample();
    b.edges[3].maxIterations = 5;
    expect(diffDefinitions(1, sample(), 2, b).edges.changed).toEqual([{ from: 'check', to: 'summarise', branch: 'default', fields: ['maxIterations'] }]);
  });
});
