import { allocArray, type Device, type DType } from './dtype.js';
import { fail } from './errors.js';
import { checkShape, sizeOf } from './shape.js';
import type { Tensor } from './tensor.js';
import { tensor } from './ops/creation.js';

/**
 * Seeded random numbers. Values are generated on the host and uploaded, so a given seed
 * gives bit-identical tensors on every backend.
 *
 * The generator is xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear pseudorandom
 * number generators", ACM TOMS 2021; https://prng.di.unimi.it/xoshiro128starstar.c):
 * 128 bits of state, period 2^128 - 1, seeded by expanding the 32-bit seed with
 * SplitMix32 so that nearby seeds give unrelated streams.
 */
export class Generator {
  private s = new Uint32Array(4);

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the stream to the one of `seed` (an integer; only the low 32 bits are used). */
  manualSeed(seed: number): this {
    if (!Number.isInteger(seed)) fail('manualSeed', 'seed', 'an integer', seed);
    // SplitMix32 (a 32-bit variant of Steele et al.'s SplitMix, finalizer from MurmurHash3).
    let z = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      this.s[i] = (t ^ (t >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1; // the all-zero state is a fixed point
    return this;
  }

  /** The next uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits: exactly representable in float32. */
  nextFloat32(): number {
    return (this.nextUint32() >>> 8) * 2 ** -24;
  }

  /** Uniform in [0, 1) with 53 random bits (two draws). */
  nextFloat64(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 2 ** 26 + lo) * 2 ** -53;
  }

  /** Uniform in [lo, hi) from `nextFloat64`. */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.nextFloat64();
  }

  /** A standard normal draw (Box-Muller on two `nextFloat64` draws; the sine half is dropped). */
  normal(): number {
    const u = Math.max(this.nextFloat64(), 1e-300);
    const v = this.nextFloat64();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.nextFloat64() * n));
  }

  /** A Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }

  /** Copies the stream position (to replay a sequence). */
  clone(): Generator {
    const g = new Generator();
    g.s.set(this.s);
    return g;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The default stream, used when neither `seed` nor `generator` is given (like torch's). */
const defaultGenerator = new Generator(0);

/** Reseeds the default generator (torch.manual_seed). */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}

export interface RandomOptions {
  /** A fresh stream from this seed (takes precedence over `generator`). */
  seed?: number;
  /** A stream to draw from (advanced by the call). Default: the global generator. */
  generator?: Generator;
  device?: Device;
  dtype?: DType;
  requiresGrad?: boolean;
}

function pick(op: string, opts: RandomOptions): Generator {
  if (opts.seed !== undefined) {
    if (!Number.isInteger(opts.seed)) fail(op, 'options.seed', 'an integer', opts.seed);
    return new Generator(opts.seed);
  }
  if (opts.generator !== undefined && !(opts.generator instanceof Generator)) fail(op, 'options.generator', 'a Generator', opts.generator);
  return opts.generator ?? defaultGenerator;
}

function floatDType(op: string, opts: RandomOptions): 'float32' | 'float64' {
  const d = opts.dtype ?? 'float32';
  if (d !== 'float32' && d !== 'float64') fail(op, 'options.dtype', "'float32' or 'float64'", d);
  return d;
}

function upload(values: ArrayLike<number>, shape: number[], dtype: DType, opts: RandomOptions): Tensor {
  const data = allocArray(dtype, values.length);
  data.set(values);
  return tensor(data, { shape, dtype, device: opts.device, requiresGrad: opts.requiresGrad });
}

/**
 * Uniform samples in [low, high) (default [0, 1)), like torch.rand.
 * @example rand([2, 3], { seed: 1 })
 */
export function rand(shape: number[], opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const op = 'rand';
  checkShape(op, 'shape', shape);
  const dtype = floatDType(op, opts);
  const gen = pick(op, opts);
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  if (!(Number.isFinite(low) && Number.isFinite(high) && high >= low)) fail(op, 'options.low/high', 'finite numbers with low <= high', [low, high]);
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = low + (high - low) * (dtype === 'float32' ? gen.nextFloat32() : gen.nextFloat64());
  return upload(out, shape, dtype, opts);
}

/**
 * Standard normal samples (times `std`, plus `mean`), like torch.randn, by the Box-Muller
 * transform (Box & Muller 1958): z0 = r cos(2πu2), z1 = r sin(2πu2), r = sqrt(-2 ln u1).
 */
export function randn(shape: number[], opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const op = 'randn';
  checkShape(op, 'shape', shape);
  const dtype = floatDType(op, opts);
  const gen = pick(op, opts);
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  if (!Number.isFinite(mean) || !(std >= 0 && Number.isFinite(std))) fail(op, 'options.mean/std', 'a finite mean and a finite std >= 0', [mean, std]);
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - gen.nextFloat64(); // (0, 1]: ln stays finite
    const u2 = gen.nextFloat64();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
  }
  return upload(out, shape, dtype, opts);
}

/** Uniform integers in [low, high) (int32 by default), like torch.randint. */
export function randint(low: number, high: number, shape: number[], opts: Omit<RandomOptions, 'requiresGrad'> = {}): Tensor {
  const op = 'randint';
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) fail(op, 'low/high', 'integers with low < high', [low, high]);
  checkShape(op, 'shape', shape);
  const dtype = opts.dtype ?? 'int32';
  if (dtype === 'bool') fail(op, 'options.dtype', "'int32', 'uint32', 'float32' or 'float64'", dtype);
  if (dtype === 'int32' && (low < -(2 ** 31) || high > 2 ** 31)) fail(op, 'low/high', 'within the int32 range', [low, high]);
  if (dtype === 'uint32' && (low < 0 || high > 2 ** 32)) fail(op, 'low/high', 'within the uint32 range', [low, high]);
  const gen = pick(op, opts);
  const range = high - low;
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  // 53-bit uniform times the range: bias below 2^-21 for any 32-bit range.
  for (let i = 0; i < n; i++) out[i] = low + Math.floor(gen.nextFloat64() * range);
  return upload(out, shape, dtype, opts);
}

/** A random permutation of 0..n-1 (int32), like torch.randperm (Fisher-Yates shuffle). */
export function randperm(n: number, opts: Omit<RandomOptions, 'requiresGrad' | 'dtype'> = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) fail('randperm', 'n', 'a non-negative integer', n);
  const gen = pick('randperm', opts);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(gen.nextFloat64() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return tensor(p, { shape: [n], dtype: 'int32', device: opts.device });
}
