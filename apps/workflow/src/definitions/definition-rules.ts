import {
  MODEL_PROVIDERS,
  ToolReference,
  VALIDATION_OPTIONS,
  WORKFLOW_LIMITS,
  WORKFLOW_NAME,
  WORKFLOW_NODE_TYPES,
  type WorkflowDefinition,
  type WorkflowEdge,
  type WorkflowNode,
  type WorkflowNodeType,
} from '#contracts';
import { ExpressionSyntaxError, parseExpression, parseTemplate, pathsOf, templatePaths } from '#expressions';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** One thing wrong with a definition: the field it is in (`nodes[<id>].config.<field>`, `edges[<i>].to`), and the node when there is one. */
export interface DefinitionProblem {
  field: string;
  nodeId?: string;
  problems: string[];
}

const MAX_BRANCHES = 20;
const MAX_KNOWLEDGE_BASES = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every structural rule of the format (definition.ts), checked without asking another service:
 * node types and configurations, names declared once, edges between existing nodes, condition
 * branches, one start, reachability, outputs reached, cycles bounded, and every expression and
 * template parsed with each path it reads declared. Answers every problem found, in order.
 */
export function definitionProblems(definition: WorkflowDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (field: string, problem: string, nodeId?: string) => problems.push(nodeId === undefined ? { field, problems: [problem] } : { field, nodeId, problems: [problem] });

  const inputs = declaredNames(definition.inputs, 'inputs', add);
  const outputs = declaredNames(definition.outputs, 'outputs', add);
  const variables = declaredNames(definition.state, 'state', add);

  const nodes = new Map<string, WorkflowNode>();
  for (const [index, node] of definition.nodes.entries()) {
    if (nodes.has(node.id)) add(`nodes[${index}].id`, `node id "${node.id}" is used twice`, node.id);
    else nodes.set(node.id, node);
  }
  const scope: Scope = { inputs, variables, nodes: new Set(nodes.keys()) };

  const starts = definition.nodes.filter((n) => n.type === 'start');
  if (starts.length !== 1) add('nodes', `a workflow needs exactly one start node (it has ${starts.length})`);
  if (!definition.nodes.some((n) => n.type === 'output')) add('nodes', 'a workflow needs at least one output node');

  for (const node of nodes.values()) checkNode(node, scope, outputs, add);

  const edgeKeys = new Set<string>();
  const outgoing = new Map<string, Array<{ edge: WorkflowEdge; index: number }>>();
  for (const [index, edge] of definition.edges.entries()) {
    const from = nodes.get(edge.from);
    const to = nodes.get(edge.to);
    if (!from) add(`edges[${index}].from`, `there is no node "${edge.from}"`);
    if (!to) add(`edges[${index}].to`, `there is no node "${edge.to}"`);
    if (to?.type === 'start') add(`edges[${index}].to`, 'no edge may enter the start node', to.id);
    if (from?.type === 'output') add(`edges[${index}].from`, 'an output node ends the workflow: no edge may leave it', from.id);
    if (from?.type === 'condition') {
      const branches = branchNames(from);
      if (edge.branch === undefined) add(`edges[${index}].branch`, `an edge leaving condition node "${from.id}" must name its branch (or "default")`, from.id);
      else if (edge.branch !== 'default' && !branches.includes(edge.branch)) add(`edges[${index}].branch`, `condition node "${from.id}" has no branch "${edge.branch}"`, from.id);
    } else if (from && edge.branch !== undefined) add(`edges[${index}].branch`, `only edges leaving a condition node name a branch ("${from.id}" is a ${from.type} node)`, from.id);
    const key = `${edge.from}\u0000${edge.to}\u0000${edge.branch ?? ''}`;
    if (edgeKeys.has(key)) add(`edges[${index}]`, `the edge ${edge.from} -> ${edge.to} is declared twice`);
    edgeKeys.add(key);
    if (from && to) outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), { edge, index }]);
  }

  // Only a graph whose edges all connect real nodes is worth walking.
  if (problems.some((p) => p.field.startsWith('edges[') && /\.(from|to)$/.test(p.field)) || starts.length !== 1) return problems;

  const reached = new Set<string>([starts[0].id]);
  const queue = [starts[0].id];
  while (queue.length > 0) {
    for (const { edge } of outgoing.get(queue.shift() as string) ?? []) {
      if (!reached.has(edge.to)) {
        reached.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  for (const node of nodes.values()) {
    if (reached.has(node.id)) continue;
    add(`nodes[${node.id}]`, node.type === 'output' ? 'no path from the start node reaches this output node' : 'no path from the start node reaches this node', node.id);
  }

  for (const cycle of unboundedCycles(nodes, outgoing)) {
    add(`edges[${cycle.index}].maxIterations`, `this edge closes the cycle ${cycle.path.join(' -> ')}: an edge that loops back must declare maxIterations`, cycle.edge.from);
  }
  return problems;
}

/** The agents, tools and knowledge bases a definition refers to, with the field each is named in. */
export interface DefinitionReferences {
  agents: Array<{ nodeId: string; field: string; agentId: string; version?: number }>;
  tools: Array<{ nodeId: string; field: string; ref: ToolReference }>;
  knowledgeBases: Array<{ nodeId: string; field: string; id: string }>;
}

/** Reads the references of a definition that passed definitionProblems. */
export function referencesOf(definition: WorkflowDefinition): DefinitionReferences {
  const refs: DefinitionReferences = { agents: [], tools: [], knowledgeBases: [] };
  for (const node of definition.nodes) {
    const config = node.config ?? {};
    if (node.type === 'agent') refs.agents.push({ nodeId: node.id, field: `nodes[${node.id}].config.agentId`, agentId: config.agentId as string, version: config.version as number | undefined });
    if (node.type === 'tool') refs.tools.push({ nodeId: node.id, field: `nodes[${node.id}].config.tool`, ref: config.tool as ToolReference });
    if (node.type === 'knowledge') {
      for (const [i, id] of (config.knowledgeBaseIds as string[]).entries()) refs.knowledgeBases.push({ nodeId: node.id, field: `nodes[${node.id}].config.knowledgeBaseIds[${i}]`, id });
    }
  }
  return refs;
}

interface Scope {
  inputs: Set<string>;
  variables: Set<string>;
  nodes: Set<string>;
}

type Add = (field: string, problem: string, nodeId?: string) => void;

function declaredNames(fields: ReadonlyArray<{ name: string }>, list: string, add: Add): Set<string> {
  const names = new Set<string>();
  for (const [index, field] of fields.entries()) {
    if (names.has(field.name)) add(`${list}[${index}].name`, `"${field.name}" is declared twice`);
    names.add(field.name);
  }
  return names;
}

function branchNames(node: WorkflowNode): string[] {
  const branches = node.config?.branches;
  return Array.isArray(branches) ? branches.map((b) => (b && typeof b === 'object' ? String((b as Record<string, unknown>).name) : '')) : [];
}

/** What each node type's config may hold: field -> kind. `?` marks an optional field. */
const CONFIG_FIELDS: Record<WorkflowNodeType, Record<string, string>> = {
  start: {},
  output: { values: 'expressionMap' },
  agent: { agentId: 'uuid', 'version?': 'positiveInt', inputTemplate: 'template', 'output?': 'variable' },
  llm: {
    provider: 'provider',
    model: 'modelName',
    'systemTemplate?': 'template',
    promptTemplate: 'template',
    'temperature?': 'temperature',
    'maxTokens?': 'maxTokens',
    'json?': 'boolean',
    'output?': 'variable',
  },
  tool: { tool: 'toolRef', arguments: 'templateMap', 'output?': 'variable' },
  condition: { branches: 'branches' },
  human: { promptTemplate: 'template', schema: 'objectSchema', 'output?': 'variable' },
  transform: { set: 'assignments' },
  knowledge: {
    knowledgeBaseIds: 'uuids',
    queryTemplate: 'template',
    'topK?': 'topK',
    'mode?': 'searchMode',
    'filter?': 'object',
    'output?': 'variable',
  },
};

function checkNode(node: WorkflowNode, scope: Scope, outputs: Set<string>, add: Add): void {
  const at = `nodes[${node.id}]`;
  if (!(WORKFLOW_NODE_TYPES as readonly string[]).includes(node.type)) {
    add(`${at}.type`, `unknown node type "${node.type}" (one of ${WORKFLOW_NODE_TYPES.join(', ')})`, node.id);
    return;
  }
  const config = node.config ?? {};
  const fields = CONFIG_FIELDS[node.type];
  const known = new Map(Object.entries(fields).map(([key, kind]) => [key.replace(/\?$/, ''), { kind, optional: key.endsWith('?') }]));
  for (const key of Object.keys(config)) {
    if (!known.has(key)) add(`${at}.config.${key}`, `a ${node.type} node has no setting "${key}"`, node.id);
  }
  for (const [key, { kind, optional }] of known) {
    const value = config[key];
    const field = `${at}.config.${key}`;
    if (value === undefined) {
      if (!optional) add(field, `${key} is required on a ${node.type} node`, node.id);
      continue;
    }
    const problem = checkValue(kind, value, field, scope, node, outputs, add);
    if (problem) add(field, problem, node.id);
  }
}

/** Checks one config value by its kind; answers a problem with the field itself, or reports deeper ones through add. */
function checkValue(kind: string, value: unknown, field: string, scope: Scope, node: WorkflowNode, outputs: Set<string>, add: Add): string | undefined {
  switch (kind) {
    case 'uuid':
      return typeof value === 'string' && UUID.test(value) ? undefined : 'must be a UUID';
    case 'positiveInt':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 2_147_483_647 ? undefined : 'must be a whole number of at least 1';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'temperature':
      return typeof value === 'number' && value >= 0 && value <= 2 ? undefined : 'must be a number from 0 to 2';
    case 'maxTokens':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 200_000 ? undefined : 'must be a whole number from 1 to 200000';
    case 'topK':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 50 ? undefined : 'must be a whole number from 1 to 50';
    case 'searchMode':
      return value === 'hybrid' || value === 'vector' || value === 'fulltext' ? undefined : 'must be hybrid, vector or fulltext';
    case 'provider':
      return (MODEL_PROVIDERS as readonly unknown[]).includes(value) ? undefined : `must be one of ${MODEL_PROVIDERS.join(', ')}`;
    case 'modelName':
      return typeof value === 'string' && value.length > 0 && value.length <= 200 ? undefined : 'must be a model name (1-200 characters)';
    case 'object':
      return isRecord(value) ? undefined : 'must be a JSON object';
    case 'objectSchema':
      return isRecord(value) && value.type === 'object' && (value.properties === undefined || isRecord(value.properties))
        ? undefined
        : 'must be a JSON Schema of an object ({ "type": "object", "properties": { ... } })';
    case 'variable':
      if (typeof value !== 'string') return 'must name a state variable';
      return scope.variables.has(value) ? undefined : `names the state variable "${value}", which is not declared in state`;
    case 'uuids':
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_KNOWLEDGE_BASES) return `must list 1 to ${MAX_KNOWLEDGE_BASES} knowledge base ids`;
      return value.every((id) => typeof id === 'string' && UUID.test(id)) ? undefined : 'must list UUIDs';
    case 'template':
      return typeof value === 'string' ? readsDeclared(value, 'template', scope) : 'must be a template (text with {{ }} holes)';
    case 'expressionMap':
    case 'templateMap':
    case 'assignments': {
      if (!isRecord(value)) return 'must be a JSON object of names to expressions';
      if (kind === 'assignments' && Object.keys(value).length === 0) return 'must set at least one state variable';
      for (const [name, source] of Object.entries(value)) {
        if (kind === 'expressionMap' && !outputs.has(name)) add(`${field}.${name}`, `"${name}" is not a declared output`, node.id);
        if (kind === 'assignments' && !scope.variables.has(name)) add(`${field}.${name}`, `"${name}" is not a declared state variable`, node.id);
        const problem = typeof source === 'string' ? readsDeclared(source, kind === 'templateMap' ? 'template' : 'expression', scope) : 'must be text';
        if (problem) add(`${field}.${name}`, problem, node.id);
      }
      return undefined;
    }
    case 'branches': {
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BRANCHES) return `must list 1 to ${MAX_BRANCHES} branches`;
      const names = new Set<string>();
      for (const [i, branch] of value.entries()) {
        const at = `${field}[${i}]`;
        if (!isRecord(branch) || Object.keys(branch).some((k) => k !== 'name' && k !== 'when')) {
          add(at, 'must be { name, when }', node.id);
          continue;
        }
        if (typeof branch.name !== 'string' || !WORKFLOW_NAME.test(branch.name) || branch.name === 'default') add(`${at}.name`, 'must be a name (letters, digits, "_"), not "default"', node.id);
        else if (names.has(branch.name)) add(`${at}.name`, `branch "${branch.name}" is declared twice`, node.id);
        else names.add(branch.name);
        const problem = typeof branch.when === 'string' ? readsDeclared(branch.when, 'expression', scope) : 'must be an expression';
        if (problem) add(`${at}.when`, problem, node.id);
      }
      return undefined;
    }
    case 'toolRef': {
      if (!isRecord(value)) return 'must be a tool reference { kind, name, refId?, provider? }';
      const errors = validateSync(plainToInstance(ToolReference, value), VALIDATION_OPTIONS);
      for (const error of errors) add(`${field}.${error.property}`, Object.values(error.constraints ?? {}).join('; ') || 'is invalid', node.id);
      return undefined;
    }
    default:
      throw new Error(`no check for config kind ${kind}`);
  }
}

/** Parses an expression or template; answers its syntax error, or the first path it reads that is not declared. */
function readsDeclared(source: string, kind: 'expression' | 'template', scope: Scope): string | undefined {
  if (source.length > WORKFLOW_LIMITS.expressionChars) return `must be at most ${WORKFLOW_LIMITS.expressionChars} characters`;
  let paths: Array<Array<string | number>>;
  try {
    paths = kind === 'expression' ? pathsOf(parseExpression(source)) : templatePaths(parseTemplate(source));
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return `is not a valid ${kind}: ${err.message}`;
    throw err;
  }
  for (const path of paths) {
    const [root, name, third] = path;
    const shown = path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.');
    if (name === undefined) continue;
    if (typeof name !== 'string') return `reads ${shown}: ${root} is read by name`;
    if (root === 'inputs' && !scope.inputs.has(name)) return `reads ${shown}, but "${name}" is not a declared input`;
    if (root === 'state' && !scope.variables.has(name)) return `reads ${shown}, but "${name}" is not a declared state variable`;
    if (root === 'nodes') {
      if (!scope.nodes.has(name)) return `reads ${shown}, but there is no node "${name}"`;
      if (third !== undefined && third !== 'output') return `reads ${shown}: a node offers only its output (nodes.${name}.output)`;
    }
  }
  return undefined;
}

/**
 * Cycles that no bounded edge breaks: with every edge that declares maxIterations removed, what is
 * left must have no cycle. Each cycle found is reported once, at the edge that closes it.
 */
function unboundedCycles(
  nodes: Map<string, WorkflowNode>,
  outgoing: Map<string, Array<{ edge: WorkflowEdge; index: number }>>,
): Array<{ edge: WorkflowEdge; index: number; path: string[] }> {
  const found: Array<{ edge: WorkflowEdge; index: number; path: string[] }> = [];
  const state = new Map<string, 'open' | 'done'>();
  for (const root of nodes.keys()) {
    if (state.has(root)) continue;
    // Iterative depth-first search: a long chain of nodes must not exhaust the stack.
    const path: string[] = [root];
    const cursors: number[] = [0];
    state.set(root, 'open');
    while (path.length > 0) {
      const current = path[path.length - 1];
      const edges = (outgoing.get(current) ?? []).filter(({ edge }) => edge.maxIterations === undefined);
      const i = cursors[cursors.length - 1];
      if (i >= edges.length) {
        state.set(current, 'done');
        path.pop();
        cursors.pop();
        continue;
      }
      cursors[cursors.length - 1] = i + 1;
      const next = edges[i];
      const seen = state.get(next.edge.to);
      if (seen === 'open') found.push({ ...next, path: [...path.slice(path.indexOf(next.edge.to)), next.edge.to] });
      else if (seen === undefined) {
        state.set(next.edge.to, 'open');
        path.push(next.edge.to);
        cursors.push(0);
      }
    }
  }
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
