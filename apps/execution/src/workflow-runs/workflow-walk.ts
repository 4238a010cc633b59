import { WORKFLOW_LIMITS, type WorkflowDefinition, type WorkflowEdge, type WorkflowNode } from '#contracts';
import { RunFailure } from '../run-engine/run-engine.service.js';

/** One execution of a node: its `visit`-th (from 1), which names its step. */
export interface NodeVisit {
  node: WorkflowNode;
  visit: number;
}

/**
 * Where a workflow run stands in its graph, and what may run next. Every outgoing edge of a
 * completed node fires (a condition's only on its chosen branch). A node runs when every one of its
 * incoming edges has fired; a join whose other edges can no longer fire (nothing runs that could
 * reach them) runs with the edges that did. An edge that closes a cycle (found by a depth-first
 * walk from the start) enters its target anew each time it fires, at most `maxIterations` times.
 *
 * The walk is the same on every attempt: completed nodes replay from the journal in the same
 * order of readiness, so each node's visit numbers, and so its step keys, come out the same.
 */
export class WorkflowWalk {
  private readonly nodes = new Map<string, WorkflowNode>();
  private readonly outgoing = new Map<string, WorkflowEdge[]>();
  /** Incoming edges that do not close a cycle: what a node waits for. */
  private readonly incoming = new Map<string, WorkflowEdge[]>();
  private readonly backEdges = new Set<WorkflowEdge>();
  /** Per node: its incoming edges that fired since it last ran. */
  private readonly fired = new Map<string, Set<WorkflowEdge>>();
  private readonly taken = new Map<WorkflowEdge, number>();
  private readonly visits = new Map<string, number>();
  private ready: string[] = [];

  constructor(definition: WorkflowDefinition) {
    for (const node of definition.nodes) {
      this.nodes.set(node.id, node);
      this.outgoing.set(node.id, []);
      this.incoming.set(node.id, []);
    }
    for (const edge of definition.edges) {
      if (!this.nodes.has(edge.from) || !this.nodes.has(edge.to)) throw new RunFailure('INVALID_WORKFLOW', `the edge ${edge.from} -> ${edge.to} names a node that does not exist`);
      this.outgoing.get(edge.from)!.push(edge);
    }
    const starts = definition.nodes.filter((n) => n.type === 'start');
    if (starts.length === 0) throw new RunFailure('INVALID_WORKFLOW', 'the workflow has no start node');
    this.findBackEdges(starts.map((n) => n.id));
    for (const edge of definition.edges) if (!this.backEdges.has(edge)) this.incoming.get(edge.to)!.push(edge);
    this.ready = starts.map((n) => n.id);
  }

  /** The nodes that may run now, each with its visit number; they leave the ready list. */
  takeReady(): NodeVisit[] {
    const ready = this.ready;
    this.ready = [];
    return ready.map((id) => {
      const visit = (this.visits.get(id) ?? 0) + 1;
      this.visits.set(id, visit);
      this.fired.delete(id);
      return { node: this.nodes.get(id)!, visit };
    });
  }

  /** A node completed: its edges fire (for a condition, only those of `branch`). Throws LIMIT_EXCEEDED past a loop's bound. */
  complete(nodeId: string, branch?: string): void {
    for (const edge of this.outgoing.get(nodeId) ?? []) {
      if (branch !== undefined && (edge.branch ?? 'default') !== branch) continue;
      if (this.backEdges.has(edge)) {
        const times = (this.taken.get(edge) ?? 0) + 1;
        const bound = edge.maxIterations ?? WORKFLOW_LIMITS.maxIterations;
        if (times > bound) {
          throw new RunFailure('LIMIT_EXCEEDED', `the loop ${edge.from} -> ${edge.to} would run more than its ${bound} iterations`, { limit: 'maxIterations', nodeId: edge.from });
        }
        this.taken.set(edge, times);
        this.makeReady(edge.to);
        continue;
      }
      const fired = this.fired.get(edge.to) ?? new Set<WorkflowEdge>();
      fired.add(edge);
      this.fired.set(edge.to, fired);
      if (fired.size >= this.incoming.get(edge.to)!.length) this.makeReady(edge.to);
    }
  }

  /**
   * Called when nothing runs and nothing is ready: the joins still waiting can have no more edges
   * fire, so those that had any run now (the first ones in graph order; later ones may yet be
   * reached through them). False when there is none: the run is over.
   */
  releaseJoins(): boolean {
    const waiting = [...this.fired.entries()].filter(([, edges]) => edges.size > 0).map(([id]) => id);
    if (waiting.length === 0) return false;
    const first = waiting.filter((id) => !waiting.some((other) => other !== id && this.reaches(other, id)));
    for (const id of first.length > 0 ? first : waiting) this.makeReady(id);
    return true;
  }

  private makeReady(id: string): void {
    if (!this.ready.includes(id)) this.ready.push(id);
  }

  /** Whether `to` can be reached from `from` without closing a cycle. */
  private reaches(from: string, to: string): boolean {
    const seen = new Set<string>([from]);
    const queue = [from];
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const edge of this.outgoing.get(id) ?? []) {
        if (this.backEdges.has(edge)) continue;
        if (edge.to === to) return true;
        if (!seen.has(edge.to)) {
          seen.add(edge.to);
          queue.push(edge.to);
        }
      }
    }
    return false;
  }

  /** Depth-first from the start nodes: an edge into a node still on the path closes a cycle. */
  private findBackEdges(starts: string[]): void {
    const state = new Map<string, 'open' | 'done'>();
    for (const start of starts) {
      if (state.has(start)) continue;
      const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
      state.set(start, 'open');
      while (stack.length > 0) {
        const top = stack.at(-1)!;
        const edges = this.outgoing.get(top.id)!;
        if (top.next >= edges.length) {
          state.set(top.id, 'done');
          stack.pop();
          continue;
        }
        const edge = edges[top.next++];
        const seen = state.get(edge.to);
        if (seen === 'open') this.backEdges.add(edge);
        else if (seen === undefined) {
          state.set(edge.to, 'open');
          stack.push({ id: edge.to, next: 0 });
        }
      }
    }
  }
}
