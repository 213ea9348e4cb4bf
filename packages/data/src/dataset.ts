/**
 * A small random-access dataset: indexable, shuffled with a seed, batched. Items are whatever
 * the source holds (capture frames: images decode lazily on `rgb()` / `mask()`).
 */
import { HeadsplatError } from '@headsplat/core';
import { dataFail } from './errors.js';
import { SeededRandom } from './random.js';
import type { CaptureFrame, CaptureSet, SplitName } from './types.js';

export interface BatchOptions {
  /** Shuffle before batching (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0). The same seed gives the same order. */
  seed?: number;
  /** Drop the last, smaller batch (default false). */
  dropLast?: boolean;
}

export interface Dataset<T> extends Iterable<T> {
  readonly length: number;
  /** Item i (0 <= i < length). */
  get(i: number): T;
  /** A view of these items in a seeded random order. */
  shuffle(seed: number): Dataset<T>;
  /** A view of the items at `indices`. */
  subset(indices: readonly number[]): Dataset<T>;
  /** Consecutive batches of `size` items (the last may be smaller unless `dropLast`). */
  batches(size: number, options?: BatchOptions): Iterable<T[]>;
}

class ArrayDataset<T> implements Dataset<T> {
  constructor(private readonly items: readonly T[], private readonly order: readonly number[]) {}

  get length(): number {
    return this.order.length;
  }

  get(i: number): T {
    if (!Number.isInteger(i) || i < 0 || i >= this.order.length) dataFail('Dataset.get', 'i', `an integer in [0, ${this.order.length})`, i);
    return this.items[this.order[i]];
  }

  shuffle(seed: number): Dataset<T> {
    if (!Number.isInteger(seed)) dataFail('Dataset.shuffle', 'seed', 'an integer', seed);
    const p = new SeededRandom(seed).permutation(this.order.length);
    return new ArrayDataset(this.items, p.map((i) => this.order[i]));
  }

  subset(indices: readonly number[]): Dataset<T> {
    for (const i of indices) if (!Number.isInteger(i) || i < 0 || i >= this.order.length) dataFail('Dataset.subset', 'indices', `integers in [0, ${this.order.length})`, i);
    return new ArrayDataset(this.items, indices.map((i) => this.order[i]));
  }

  *batches(size: number, options: BatchOptions = {}): Iterable<T[]> {
    if (!Number.isInteger(size) || size < 1) dataFail('Dataset.batches', 'size', 'a positive integer', size);
    const ds: Dataset<T> = options.shuffle ? this.shuffle(options.seed ?? 0) : this;
    for (let s = 0; s < ds.length; s += size) {
      const n = Math.min(size, ds.length - s);
      if (n < size && options.dropLast) return;
      yield Array.from({ length: n }, (_, k) => ds.get(s + k));
    }
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.order.length; i++) yield this.items[this.order[i]];
  }
}

/** A dataset over any array. */
export function arrayDataset<T>(items: readonly T[]): Dataset<T> {
  return new ArrayDataset(items, items.map((_, i) => i));
}

/** The frames of a capture set, or of one split (or several). */
export function captureDataset(set: CaptureSet, split?: SplitName | SplitName[]): Dataset<CaptureFrame> {
  if (split === undefined) return arrayDataset(set.frames);
  const names = Array.isArray(split) ? split : [split];
  const idx: number[] = [];
  for (const s of names) {
    if (!set.splits[s]) dataFail('captureDataset', 'split', `one of ${Object.keys(set.splits).join(', ')}`, s);
    idx.push(...set.splits[s]);
  }
  idx.sort((a, b) => a - b);
  return new ArrayDataset(set.frames, idx);
}

/** Decodes a batch of frames into stacked (B, H, W, 3) RGB and (B, H, W) masks; all frames must share one size. */
export async function loadBatch(frames: readonly CaptureFrame[]): Promise<{ rgb: Float32Array; mask: Float32Array; width: number; height: number }> {
  if (frames.length === 0) dataFail('loadBatch', 'frames', 'a non-empty array', frames);
  const { width: W, height: H } = frames[0];
  frames.forEach((f, i) => {
    if (f.width !== W || f.height !== H) throw new HeadsplatError(`loadBatch: frames[${i}] must be ${W}x${H} like frames[0], got ${f.width}x${f.height}`);
  });
  const rgb = new Float32Array(frames.length * H * W * 3), mask = new Float32Array(frames.length * H * W);
  const imgs = await Promise.all(frames.map(async (f) => [await f.rgb(), await f.mask()] as const));
  imgs.forEach(([r, m], b) => {
    rgb.set(r, b * H * W * 3);
    mask.set(m, b * H * W);
  });
  return { rgb, mask, width: W, height: H };
}
