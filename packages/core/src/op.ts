import { Node, type BackwardFn, type Edge } from './autograd.js';
import { getBackend, type Backend } from './backend.js';
import { DataRef } from './data-ref.js';
import { isFloat, type Device, type DType } from './dtype.js';
import { isGradEnabled, keep, noGrad, untrackTensor } from './engine.js';
import { HeadsplatError, fmt } from './errors.js';
import type { KernelName } from './kernel-names.js';
import { Tensor } from './tensor.js';

/** What a kernel returns for each output: fresh storage it allocated, its shape and dtype. */
export interface KernelOutput {
  storage: unknown;
  shape: readonly number[];
  dtype: DType;
}

export type KernelImpl<A = any> = (inputs: Tensor[], attrs: A, backend: Backend) => KernelOutput | KernelOutput[];

const kernels = new Map<string, KernelImpl>();

/** Registers a kernel of `backend` under `name` (tfjs-style registry). */
export function registerKernel<A>(backend: Device, name: string, impl: KernelImpl<A>): void {
  kernels.set(`${backend}/${name}`, impl as KernelImpl);
}

/** @internal The registered implementation (tests wrap it to count calls). */
export function kernelImpl(backend: Device, name: string): KernelImpl | undefined {
  return kernels.get(`${backend}/${name}`);
}

/**
 * Whether a kernel is registered for a backend, given by name ('cpu', 'webgpu') or as
 * the backend object (`getBackend(...)`, `initWebGPU()`'s result).
 * @example if (!hasKernel('webgpu', 'MatMul')) console.warn('no GPU matmul');
 */
export function hasKernel(backend: Device | Backend, name: KernelName | (string & {})): boolean {
  const dev = typeof backend === 'string' ? backend : backend?.name;
  if (typeof dev !== 'string') throw new HeadsplatError(`hasKernel: backend must be a device name or a Backend, got ${fmt(backend)}`);
  return kernels.has(`${dev}/${name}`);
}

/** Checks that every input lives on the same device; mixing devices is an error, never a silent copy. */
export function sameDevice(op: string, inputs: readonly Tensor[]): Device {
  let dev: Device | undefined;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    if (!(t instanceof Tensor)) throw new HeadsplatError(`${op}: input ${i} must be a Tensor, got ${fmt(t)}`);
    t.assertLive(op);
    if (dev === undefined) dev = t.device;
    else if (t.device !== dev) {
      throw new HeadsplatError(`${op}: all inputs must be on the same device, got ${fmt(inputs[0])} and ${fmt(t)}; move one with await t.to('${dev}')`);
    }
  }
  return dev ?? 'cpu';
}

/** Runs kernel `name` on the inputs' device and wraps its outputs as tensors (no autograd). */
export function runKernel<A>(name: string, inputs: Tensor[], attrs: A, device?: Device): Tensor[] {
  const dev = inputs.length ? sameDevice(name, inputs) : (device ?? 'cpu');
  const impl = kernels.get(`${dev}/${name}`);
  if (!impl) throw new HeadsplatError(`${name}: no kernel registered for device '${dev}'`);
  const backend = getBackend(dev);
  const out = impl(inputs, attrs, backend);
  const list = Array.isArray(out) ? out : [out];
  return list.map((o) => makeTensor(backend, o.storage, o.shape, o.dtype));
}

/** @internal */
export function makeTensor(backend: Backend, storage: unknown, shape: readonly number[], dtype: DType): Tensor {
  let size = 1;
  for (const d of shape) size *= d;
  return new Tensor(new DataRef(backend, storage, dtype, size), shape, dtype);
}

export interface RecordSpec {
  name: string;
  /** All inputs of the op (tensors only), in the order the backward returns gradients. */
  inputs: readonly Tensor[];
  outputs: Tensor[];
  backward: BackwardFn;
  /** Tensors the backward needs; passed to it as `saved` (inputs keep their graph). */
  save?: readonly Tensor[];
  /** Whether `save` contains outputs of this op (then no double backward). */
  savesOutputs?: boolean;
  /** Called when the graph node is freed (release external resources). */
  onRelease?: () => void;
}

/** Whether an op over these inputs must be recorded. */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/**
 * Attaches a backward to freshly computed outputs when any input requires grad.
 * Saved tensors are aliases that share storage, untracked by tidy scopes, so that
 * disposing the user's handles does not break a later backward.
 */
export function record(spec: RecordSpec): void {
  if (!needsGrad(spec.inputs)) return;
  const edges: (Edge | null)[] = spec.inputs.map((t) =>
    t.requiresGrad ? { node: t.gradFn, index: t.outputIndex, leaf: t.gradFn ? null : (t.leafOrigin ?? t), shape: t.shape } : null,
  );
  const outs = new Set(spec.outputs);
  const saved = (spec.save ?? []).map((t) => {
    const a = outs.has(t) ? t.detach() : t.alias();
    keep(a);
    return a;
  });
  const node = new Node(spec.name, edges, saved, spec.backward, spec.outputs.map((o) => o.shape), !spec.savesOutputs);
  if (spec.onRelease) node.onRelease(spec.onRelease);
  spec.outputs.forEach((o, i) => {
    if (o.gradFn) o.gradFn.unref();
    if (!isFloat(o.dtype)) return;
    o.gradFn = node;
    o.outputIndex = i;
    o.requiresGrad = true;
    node.refs++;
  });
  // A node with no float outputs can never be reached by backward.
  if (node.refs === 0) {
    node.refs = 1;
    node.unref();
  }
}

/** Context passed to a custom op's forward and backward. */
export interface OpContext {
  /** Saves tensors for the backward (read them back from `saved`). */
  save(...tensors: Tensor[]): void;
  readonly saved: Tensor[];
  /** Registers a release hook for external resources (GPU buffers kept for the backward). */
  onRelease(fn: () => void): void;
  /** Whether gradients will be needed (any tensor input requires grad and grad mode is on). */
  readonly needsInputGrad: boolean;
}

export interface OpDefinition<Args extends unknown[], Out extends Tensor | Tensor[]> {
  name: string;
  /** Computes the outputs; runs without recording. May be async (the op then returns a Promise). */
  forward(ctx: OpContext, ...args: Args): Out | Promise<Out>;
  /**
   * Gradients of the tensor arguments (in the order they appear in `args`, top-level
   * only), given the gradients of the outputs (null where an output got none).
   */
  backward?(ctx: OpContext, ...grads: (Tensor | null)[]): (Tensor | null | undefined)[];
}

/**
 * Public custom-op API: declare an op by its forward and backward; returns a function
 * that runs it and records it on the tape. Other packages plug their own kernels in this way.
 * @example
 * const cube = defineOp({
 *   name: 'cube',
 *   forward: (ctx, x: Tensor) => { ctx.save(x); return mul(x, mul(x, x)); },
 *   backward: (ctx, g) => [mul(g!, mul(3, square(ctx.saved[0])))],
 * });
 */
export function defineOp<Args extends unknown[], Out extends Tensor | Tensor[]>(
  def: OpDefinition<Args, Out>,
): (...args: Args) => Out extends Tensor ? (Out | Promise<Out>) : Out | Promise<Out> {
  return ((...args: Args) => {
    const tensors = args.filter((a): a is Tensor => a instanceof Tensor);
    sameDevice(def.name, tensors);
    const toSave: Tensor[] = [];
    const hooks: (() => void)[] = [];
    const ctx: OpContext = {
      save: (...ts) => toSave.push(...ts),
      get saved() {
        return savedRef.list;
      },
      onRelease: (fn) => hooks.push(fn),
      needsInputGrad: needsGrad(tensors),
    };
    const savedRef = { list: [] as Tensor[] };
    const finish = (out: Out): Out => {
      const outputs = Array.isArray(out) ? out : [out as Tensor];
      if (!ctx.needsInputGrad || !def.backward) {
        for (const h of hooks) h();
        return out;
      }
      const bw = def.backward;
      record({
        name: def.name,
        inputs: tensors,
        outputs,
        save: toSave,
        savesOutputs: toSave.some((t) => outputs.includes(t)),
        backward: (grads, saved) => {
          savedRef.list = saved;
          return bw(ctx, ...grads);
        },
        onRelease: () => hooks.forEach((h) => h()),
      });
      return out;
    };
    const res = noGrad(() => def.forward(ctx, ...args));
    if (res instanceof Promise) return res.then(finish);
    return finish(res);
  }) as never;
}

export { untrackTensor };
