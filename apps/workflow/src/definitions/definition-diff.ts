import type { NameChanges, WorkflowDefinition, WorkflowDiff, WorkflowEdge } from '#contracts';
import { sameJson } from '#persistence';

/**
 * What changed from one definition to another, by structure rather than by text: nodes known by
 * id (a changed node lists the fields that differ: type, name, config.<field>), edges by
 * (from, to, branch), declared inputs, outputs and variables by name.
 */
export function diffDefinitions(from: number, a: WorkflowDefinition, to: number, b: WorkflowDefinition): WorkflowDiff {
  const before = new Map(a.nodes.map((n) => [n.id, n]));
  const after = new Map(b.nodes.map((n) => [n.id, n]));
  const changedNodes = [...after.values()]
    .filter((node) => before.has(node.id))
    .map((node) => {
      const old = before.get(node.id) as (typeof a.nodes)[number];
      const fields: string[] = [];
      if (old.type !== node.type) fields.push('type');
      if ((old.name ?? null) !== (node.name ?? null)) fields.push('name');
      const keys = new Set([...Object.keys(old.config ?? {}), ...Object.keys(node.config ?? {})]);
      for (const key of [...keys].sort()) if (!sameJson(old.config?.[key], node.config?.[key])) fields.push(`config.${key}`);
      return { id: node.id, fields };
    })
    .filter((c) => c.fields.length > 0);

  const edgeKey = (e: WorkflowEdge) => `${e.from}\u0000${e.to}\u0000${e.branch ?? ''}`;
  const oldEdges = new Map(a.edges.map((e) => [edgeKey(e), e]));
  const newEdges = new Map(b.edges.map((e) => [edgeKey(e), e]));
  const changedEdges = [...newEdges.entries()]
    .filter(([key, edge]) => oldEdges.has(key) && (oldEdges.get(key)?.maxIterations ?? null) !== (edge.maxIterations ?? null))
    .map(([, edge]) => ({ from: edge.from, to: edge.to, ...(edge.branch === undefined ? {} : { branch: edge.branch }), fields: ['maxIterations'] }));

  return {
    from,
    to,
    nodes: {
      added: [...after.keys()].filter((id) => !before.has(id)),
      removed: [...before.keys()].filter((id) => !after.has(id)),
      changed: changedNodes,
    },
    edges: {
      added: [...newEdges.entries()].filter(([key]) => !oldEdges.has(key)).map(([, e]) => e),
      removed: [...oldEdges.entries()].filter(([key]) => !newEdges.has(key)).map(([, e]) => e),
      changed: changedEdges,
    },
    inputs: byName(a.inputs, b.inputs),
    outputs: byName(a.outputs, b.outputs),
    state: byName(a.state, b.state),
  };
}

function byName(a: ReadonlyArray<{ name: string }>, b: ReadonlyArray<{ name: string }>): NameChanges {
  const before = new Map(a.map((f) => [f.name, f]));
  const after = new Map(b.map((f) => [f.name, f]));
  return {
    added: [...after.keys()].filter((n) => !before.has(n)),
    removed: [...before.keys()].filter((n) => !after.has(n)),
    changed: [...after.keys()].filter((n) => before.has(n) && !sameJson(before.get(n), after.get(n))),
  };
}
