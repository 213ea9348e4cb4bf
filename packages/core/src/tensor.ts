import { getBackend, type Backend } from './backend.js';
import { DataRef } from './data-ref.js';
import { isFloat, type Device, type DType, type TypedArray } from './dtype.js';
import { setTensorCheck, trackTensor, untrackTensor } from './engine.js';
import { HeadsplatError } from './errors.js';
import { sizeOf, type Shape } from './shape.js';
import type { BackwardOptions, Node } from './autograd.js';
import { backwardFrom, copyTensor } from './tensor-impls.js';

/** Nested number arrays as returned by `array()`. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array on a device, with an optional autograd history.
 * Tensors are immutable and always contiguous (row-major); `reshape` and `detach` share
 * storage. Free GPU memory with `dispose()` or `tidy()`.
 */
export class Tensor {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** Whether gradients flow to this tensor. Set on leaves with `requiresGrad_()`. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf after `backward()`; null before. */
  grad: Tensor | null = null;
  /** @internal the op that produced this tensor */
  gradFn: Node | null = null;
  /** @internal which output of `gradFn` this is */
  outputIndex = 0;
  /** @internal for an alias of a leaf (a tensor saved for backward): the leaf gradients go to */
  leafOrigin: Tensor | null = null;
  /** @internal */
  ref: DataRef;
  private disposed = false;

  /** @internal use the creation ops (`tensor`, `zeros`, ...) instead. */
  constructor(ref: DataRef, shape: Shape, dtype: DType) {
    this.ref = ref;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.id = trackTensor(this);
  }

  get device(): Device {
    return this.ref.backend.name;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** @internal */
  get backend(): Backend {
    return this.ref.backend;
  }

  /** @internal */
  get storage(): unknown {
    this.assertLive('storage');
    return this.ref.storage;
  }

  /** Marks a leaf tensor as requiring gradients (in place); returns it. */
  requiresGrad_(on = true): this {
    if (!this.isLeaf) throw new HeadsplatError('requiresGrad_: only leaf tensors can change requiresGrad (use detach() first)');
    if (on && !isFloat(this.dtype)) throw new HeadsplatError(`requiresGrad_: only float tensors can require grad, got ${this.dtype}`);
    this.requiresGrad = on;
    return this;
  }

  /** Copies the elements to the host (flat, row-major). */
  async data(): Promise<TypedArray> {
    this.assertLive('data');
    return this.backend.read(this.ref.storage, this.dtype, this.size);
  }

  /** Synchronous read; CPU tensors only. */
  dataSync(): TypedArray {
    this.assertLive('dataSync');
    const b = this.backend;
    if (!b.readSync) throw new HeadsplatError(`dataSync: not available on device '${this.device}'; use await tensor.data()`);
    return b.readSync(this.ref.storage, this.dtype, this.size);
  }

  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape, this.dtype);
  }

  arraySync(): NestedArray {
    return nest(this.dataSync(), this.shape, this.dtype);
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new HeadsplatError(`item: tensor must have exactly one element, got shape [${this.shape.join(', ')}]`);
    return (await this.data())[0];
  }

  /** A copy on another device (no gradient history). */
  async to(device: Device): Promise<Tensor> {
    this.assertLive('to');
    const target = getBackend(device);
    if (device === this.device) return this.clone();
    const host = await this.data();
    return new Tensor(new DataRef(target, target.upload(this.dtype, host), this.dtype, this.size), this.shape, this.dtype);
  }

  /** A tensor sharing this one's storage, without gradient history. */
  detach(): Tensor {
    this.assertLive('detach');
    return new Tensor(this.ref.retain(), this.shape, this.dtype);
  }

  /** A tensor sharing this one's storage and autograd history (used for saved tensors). @internal */
  alias(): Tensor {
    this.assertLive('alias');
    const t = new Tensor(this.ref.retain(), this.shape, this.dtype);
    t.requiresGrad = this.requiresGrad;
    if (this.gradFn) {
      t.gradFn = this.gradFn;
      t.outputIndex = this.outputIndex;
      this.gradFn.refs++;
    } else {
      // Double backward through a saved leaf must reach the original leaf's .grad.
      t.leafOrigin = this.leafOrigin ?? this;
    }
    return t;
  }

  /** A copy with its own storage and no history. */
  clone(): Tensor {
    this.assertLive('clone');
    return copyTensor(this);
  }

  /** Computes gradients of this tensor w.r.t. every leaf that requires grad. */
  backward(gradOutput?: Tensor, opts: BackwardOptions = {}): void {
    backwardFrom(this, gradOutput, opts);
  }

  /** Frees the storage (shared storage is freed with its last user). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrackTensor(this);
    this.ref.release();
    if (this.gradFn) {
      const n = this.gradFn;
      this.gradFn = null;
      n.unref();
    }
  }

  /** @internal */
  assertLive(op: string): void {
    if (this.disposed) throw new HeadsplatError(`${op}: tensor ${this.id} (shape [${this.shape.join(', ')}]) was disposed`);
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);

function nest(flat: TypedArray, shape: readonly number[], dtype: DType): NestedArray {
  const conv = (x: number): number | boolean => (dtype === 'bool' ? x !== 0 : x);
  if (shape.length === 0) return conv(flat[0]);
  const rec = (dim: number, off: number): NestedArray[] => {
    const n = shape[dim];
    const stride = sizeOf(shape.slice(dim + 1));
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) out.push(dim === shape.length - 1 ? conv(flat[off + i]) : rec(dim + 1, off + i * stride));
    return out;
  };
  return rec(0, 0);
}
