import { fail, fmt, HeadsplatError } from './errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function checkShape(op: string, arg: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(op, arg, 'an array of non-negative integers', shape);
  }
  return shape as number[];
}

/** NumPy broadcasting of two shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new HeadsplatError(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast (dimension ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalises a (possibly negative) axis against rank `rank`. */
export function normAxis(op: string, axis: number, rank: number, arg = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    fail(op, arg, `an integer in [${-rank}, ${Math.max(rank, 1) - 1}]`, axis);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises an axis list (undefined = all axes), sorted and unique. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = [...new Set(list.map((a) => normAxis(op, a, rank, 'axes')))].sort((x, y) => x - y);
  if (out.length !== list.length) fail(op, 'axes', 'unique axes', axes);
  return out;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * For a broadcast from `from` to `to`: the axes of `to` that must be summed to undo it
 * (used by gradients of broadcasting ops).
 */
export function broadcastReduceAxes(from: Shape, to: Shape): number[] {
  const axes: number[] = [];
  const off = to.length - from.length;
  for (let i = 0; i < to.length; i++) {
    if (i < off || (from[i - off] === 1 && to[i] !== 1)) axes.push(i);
  }
  return axes;
}
