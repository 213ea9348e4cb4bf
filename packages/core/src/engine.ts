import { getBackend } from './backend.js';
import type { Device } from './dtype.js';
import type { Tensor } from './tensor.js';

/**
 * Engine state: the tidy scope stack, the grad mode and counters. This is the one
 * piece of module-level mutable state besides the registries.
 */
interface Scope {
  tensors: Set<Tensor>;
}

const state = {
  scopes: [] as Scope[],
  gradEnabled: true,
  liveTensors: 0,
  nextId: 1,
  defaultDevice: 'cpu' as Device,
};

/** @internal called by the Tensor constructor. */
export function trackTensor(t: Tensor): number {
  state.liveTensors++;
  const scope = state.scopes[state.scopes.length - 1];
  if (scope) scope.tensors.add(t);
  return state.nextId++;
}

/** @internal called by Tensor.dispose. */
export function untrackTensor(t: Tensor): void {
  state.liveTensors--;
  for (let i = state.scopes.length - 1; i >= 0; i--) if (state.scopes[i].tensors.delete(t)) break;
}

type TensorContainer = Tensor | TensorContainer[] | { [k: string]: TensorContainer } | number | string | boolean | null | undefined | void;

function collect(x: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  if (isTensor(x)) out.add(x);
  else if (Array.isArray(x)) for (const v of x) collect(v, out, isTensor);
  else if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) collect(v, out, isTensor);
  }
}

let isTensorFn: (v: unknown) => v is Tensor = (_v): _v is Tensor => false;
/** @internal */
export function setTensorCheck(fn: (v: unknown) => v is Tensor): void {
  isTensorFn = fn;
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the tensors it returns
 * (also inside arrays / plain objects) and those passed to `keep()`. Returned tensors
 * that were created inside the scope move to the enclosing scope; a returned tensor
 * created outside the scope is left where it was (its owner is unchanged, so an outer
 * tidy does not dispose a tensor that an even outer scope, or no scope, owns).
 * Async functions are not supported: a scope must close before the next await.
 * @example
 * const y = tidy(() => relu(add(matmul(x, w), b))); // the matmul/add results are freed
 */
export function tidy<T extends TensorContainer>(fn: () => T): T {
  const scope: Scope = { tensors: new Set() };
  state.scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      throw new Error('tidy: fn returned a Promise; tidy scopes must be synchronous');
    }
  } finally {
    state.scopes.pop();
  }
  const keepSet = new Set<Tensor>();
  collect(result, keepSet, isTensorFn);
  for (const t of scope.tensors) if (!keepSet.has(t)) t.dispose();
  const parent = state.scopes[state.scopes.length - 1];
  if (parent) for (const t of keepSet) if (scope.tensors.has(t) && !t.isDisposed) parent.tensors.add(t);
  return result;
}

/** Exempts a tensor from disposal by the enclosing tidy scopes. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of state.scopes) s.tensors.delete(t);
  return t;
}

/** Runs `fn` with gradient recording off. */
export function noGrad<T>(fn: () => T): T {
  const prev = state.gradEnabled;
  state.gradEnabled = false;
  try {
    return fn();
  } finally {
    state.gradEnabled = prev;
  }
}

/** Whether ops record gradients now (false inside `noGrad`, and during a backward without createGraph). */
export function isGradEnabled(): boolean {
  return state.gradEnabled;
}

/** @internal */
export function setGradEnabled(on: boolean): boolean {
  const prev = state.gradEnabled;
  state.gradEnabled = on;
  return prev;
}

/** Number of tensors created and not yet disposed. */
export function liveTensors(): number {
  return state.liveTensors;
}

/**
 * Number of storages (CPU arrays or GPU buffers) of `device` that are allocated and not
 * yet freed. Several tensors may share one storage (reshape, detach), so this counts
 * memory, while `liveTensors()` counts handles. On WebGPU, read a result (or call the
 * backend's `flush()`) first: pending fused expressions hold their inputs until then.
 */
export function liveBuffers(device: Device = state.defaultDevice): number {
  return getBackend(device).liveBuffers();
}

/** The device creation ops use when none is given ('cpu' unless `setDefaultDevice` changed it). */
export function getDefaultDevice(): Device {
  return state.defaultDevice;
}

/** Device used by creation ops when none is given. */
export function setDefaultDevice(device: Device): void {
  if (device !== 'cpu' && device !== 'webgpu') throw new Error(`setDefaultDevice: device must be 'cpu' or 'webgpu', got '${device}'`);
  state.defaultDevice = device;
}
