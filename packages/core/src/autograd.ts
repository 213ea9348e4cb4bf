import { setGradEnabled, keep, tidy } from './engine.js';
import { HeadsplatError } from './errors.js';
import { shapesEqual } from './shape.js';
import type { Tensor } from './tensor.js';

/** Where a node's input gradient goes: a leaf tensor's `.grad`, or an output of another node. */
export interface Edge {
  node: Node | null;
  index: number;
  leaf: Tensor | null;
  shape: readonly number[];
}

/**
 * A node's vector-Jacobian product: `grads` of its outputs (null: zero), its `saved`
 * tensors, and `needs[i]`, whether input i wants a gradient (an input that does not require
 * grad gets none: a rule may skip computing it and return null there).
 */
export type BackwardFn = (grads: (Tensor | null)[], saved: Tensor[], needs: boolean[]) => (Tensor | null | undefined)[];

/**
 * A recorded op on the dynamic tape. Nodes are reference counted: each live output
 * tensor and each downstream node holds one reference; when the count drops to zero
 * the saved tensors are released and the references to upstream nodes dropped. This
 * frees a graph deterministically as soon as nothing can reach it (no GC involved,
 * which matters for GPU memory).
 */
export class Node {
  refs = 0;
  released = false;
  freed = false;
  private releaseHooks: (() => void)[] = [];
  /** Storage versions of `saved` when recorded: an in-place write since then is an error. */
  private readonly savedVersions: number[];

  constructor(
    readonly name: string,
    readonly edges: (Edge | null)[],
    public saved: Tensor[],
    readonly backwardFn: BackwardFn,
    readonly outputShapes: (readonly number[])[],
    /** False when the backward uses saved outputs, which carry no graph: no double backward. */
    readonly supportsCreateGraph: boolean,
  ) {
    for (const e of edges) if (e?.node) e.node.refs++;
    this.savedVersions = saved.map((t) => t.ref.version);
  }

  /** Throws when a saved tensor's storage was overwritten in place (assign_) after it was saved. */
  checkSavedVersions(): void {
    for (let i = 0; i < this.saved.length; i++) {
      const v = this.saved[i].ref.version;
      if (v !== this.savedVersions[i]) {
        throw new HeadsplatError(
          `backward: tensor ${i} saved by '${this.name}' (shape [${this.saved[i].shape.join(', ')}]) was modified in place by assign_ after it was saved (version ${v}, saved at version ${this.savedVersions[i]}); run backward before assigning, or assign into a clone`,
        );
      }
    }
  }

  onRelease(fn: () => void): void {
    this.releaseHooks.push(fn);
  }

  /** Drops saved tensors (after a backward without retainGraph, or when freed). */
  releaseSaved(): void {
    if (this.released) return;
    this.released = true;
    for (const t of this.saved) t.dispose();
    this.saved = [];
    for (const h of this.releaseHooks) h();
    this.releaseHooks = [];
  }

  unref(): void {
    if (--this.refs > 0 || this.freed) return;
    this.freed = true;
    this.releaseSaved();
    for (const e of this.edges) e?.node?.unref();
  }
}

export interface BackwardOptions {
  /** Keep saved tensors so that backward can run through the graph again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients (implies retainGraph). */
  createGraph?: boolean;
}

function topoOrder(root: Node): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>();
  const stack: [Node, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.edges.length) {
      top[1]++;
      const next = node.edges[i]?.node;
      if (next && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse(); // root first
}

/**
 * Reverse-mode differentiation from `root`, accumulating into the `.grad` of every leaf
 * tensor that requires grad.
 */
export function runBackward(
  root: Tensor,
  gradOutput: Tensor,
  add: (a: Tensor, b: Tensor) => Tensor,
  opts: BackwardOptions = {},
): void {
  const createGraph = !!opts.createGraph;
  const retain = createGraph || !!opts.retainGraph;
  if (!root.gradFn) {
    // A leaf: its gradient is the output gradient itself.
    accumulate(root, gradOutput, add, false);
    return;
  }
  const order = topoOrder(root.gradFn);
  const pending = new Map<Node, (Tensor | null)[]>();
  pending.set(root.gradFn, outputSlots(root.gradFn, root.outputIndex, gradOutput));
  const prev = setGradEnabled(createGraph);
  try {
    for (const node of order) {
      const grads = pending.get(node);
      if (!grads) continue;
      pending.delete(node);
      if (node.released) {
        throw new HeadsplatError(
          `backward: the graph through '${node.name}' was already freed by a previous backward; pass { retainGraph: true } to the first backward`,
        );
      }
      node.checkSavedVersions();
      if (createGraph && !node.supportsCreateGraph) {
        throw new HeadsplatError(`backward: '${node.name}' does not support createGraph (its gradient uses saved outputs)`);
      }
      // tidy keeps the returned gradients and frees the temporaries of the backward.
      const needs = node.edges.map((e) => e !== null);
      const list = tidy(() => node.backwardFn(grads, node.saved, needs).map((g) => g ?? null));
      // A rule may pass an incoming gradient through, or return one tensor for two
      // inputs (add): give each destination its own handle on the (immutable) storage.
      const seen = new Set<Tensor>(grads.filter((g): g is Tensor => !!g));
      for (let i = 0; i < list.length; i++) {
        const g = list[i];
        if (!g) continue;
        if (seen.has(g)) list[i] = keep(g.alias());
        seen.add(g);
      }
      for (const g of grads) if (g && !createGraph) g.dispose();
      for (let i = 0; i < node.edges.length; i++) {
        const e = node.edges[i];
        const g = list[i];
        if (!g) continue;
        if (!e) {
          g.dispose();
          continue;
        }
        if (!shapesEqual(g.shape, e.shape)) {
          throw new HeadsplatError(
            `backward: gradient of '${node.name}' for input ${i} has shape [${g.shape.join(', ')}], expected [${e.shape.join(', ')}]`,
          );
        }
        if (e.leaf) accumulate(e.leaf, g, add, false);
        else if (e.node) {
          const slots = pending.get(e.node) ?? new Array<Tensor | null>(e.node.outputShapes.length).fill(null);
          const cur = slots[e.index];
          if (cur) {
            slots[e.index] = keep(add(cur, g));
            cur.dispose();
            g.dispose();
          } else slots[e.index] = g;
          pending.set(e.node, slots);
        }
      }
      if (!retain) node.releaseSaved();
    }
  } finally {
    setGradEnabled(prev);
    for (const slots of pending.values()) for (const g of slots) g?.dispose();
  }
}

function outputSlots(node: Node, index: number, g: Tensor): (Tensor | null)[] {
  const slots = new Array<Tensor | null>(node.outputShapes.length).fill(null);
  slots[index] = g;
  return slots;
}

function accumulate(leaf: Tensor, g: Tensor, add: (a: Tensor, b: Tensor) => Tensor, copy: boolean): void {
  if (!leaf.requiresGrad) {
    if (!copy) g.dispose();
    return;
  }
  if (leaf.grad) {
    const sum = keep(add(leaf.grad, g));
    leaf.grad.dispose();
    if (!copy) g.dispose();
    leaf.grad = sum;
  } else {
    leaf.grad = keep(copy ? g.clone() : g);
  }
}
