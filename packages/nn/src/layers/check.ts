import { HeadsplatError, Tensor } from '@headsplat/core';

/** Integer >= min, else an error naming the layer and argument. */
export function positiveInt(layer: string, arg: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new HeadsplatError(`${layer}: ${arg} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

export interface InputSpec {
  rank?: number;
  minRank?: number;
  lastDim?: number;
  /** Expected size of axis 1 (channels). */
  channels?: number;
  device?: string;
}

const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Checks a layer input, naming the layer, the expectation and the actual shape. */
export function checkInput(layer: string, x: unknown, spec: InputSpec): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new HeadsplatError(`${layer}: input must be a Tensor, got ${String(x)}`);
  if (spec.rank !== undefined && x.rank !== spec.rank) throw new HeadsplatError(`${layer}: input must be ${spec.rank}-D, got shape ${fmtShape(x.shape)}`);
  if (spec.minRank !== undefined && x.rank < spec.minRank) throw new HeadsplatError(`${layer}: input must have at least ${spec.minRank} dimensions, got shape ${fmtShape(x.shape)}`);
  if (spec.lastDim !== undefined && x.shape[x.rank - 1] !== spec.lastDim) {
    throw new HeadsplatError(`${layer}: input's last dimension must be ${spec.lastDim}, got shape ${fmtShape(x.shape)}`);
  }
  if (spec.channels !== undefined && x.shape[1] !== spec.channels) {
    throw new HeadsplatError(`${layer}: input must have ${spec.channels} channels (axis 1), got shape ${fmtShape(x.shape)}`);
  }
  if (spec.device !== undefined && x.device !== spec.device) {
    throw new HeadsplatError(`${layer}: input must be on device '${spec.device}' (the layer's parameters), got '${x.device}'`);
  }
}

export type Pair = number | [number, number];

export function pairOf(layer: string, arg: string, v: Pair, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min)) {
    throw new HeadsplatError(`${layer}: ${arg} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}
