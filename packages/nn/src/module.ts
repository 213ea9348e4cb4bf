import { HeadsplatError, Tensor, keep, noGrad, tensor, toCoreArray, type Device, type NamedArray } from '@headsplat/core';
import { Parameter, assignStorage } from './parameter.js';

/** A state-dict value: a tensor, or a host array as read from a file (`readSafetensors`). */
export type StateValue = Tensor | NamedArray;
export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Throw when keys are missing or unexpected (mis-shaped keys always throw). Default true. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function checkName(owner: string, name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new HeadsplatError(`${owner}: name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
  }
}

/**
 * Base class of every layer (torch.nn.Module): named parameters, buffers and child modules,
 * whose dotted paths (`layers.0.weight`, `norm.running_mean`) are the state-dict keys, so
 * that a PyTorch checkpoint converted to safetensors loads unchanged.
 * Subclasses register what they own in their constructor and keep typed fields for it:
 * `this.weight = this.registerParameter('weight', Parameter.from(w))`.
 */
export class Module {
  /** Whether the module is in training mode (Dropout, BatchNorm). */
  training = true;
  private readonly params = new Map<string, Parameter | null>();
  private readonly buffers = new Map<string, { t: Tensor | null; persistent: boolean }>();
  private readonly children = new Map<string, Module | null>();

  /** The class name used in error messages. */
  get typeName(): string {
    return this.constructor.name;
  }

  registerParameter<P extends Parameter | null>(name: string, p: P): P {
    checkName(`${this.typeName}.registerParameter`, name);
    if (p !== null && !(p instanceof Parameter)) {
      throw new HeadsplatError(`${this.typeName}.registerParameter: '${name}' must be a Parameter or null, got ${String(p)}`);
    }
    if (this.buffers.has(name) || this.children.has(name)) throw new HeadsplatError(`${this.typeName}.registerParameter: '${name}' is already a buffer or a submodule`);
    this.params.set(name, p);
    return p;
  }

  /** Registers a tensor the module owns but does not train (running stats); persistent buffers go in the state dict. */
  registerBuffer<T extends Tensor | null>(name: string, t: T, persistent = true): T {
    checkName(`${this.typeName}.registerBuffer`, name);
    if (this.params.has(name) || this.children.has(name)) throw new HeadsplatError(`${this.typeName}.registerBuffer: '${name}' is already a parameter or a submodule`);
    if (t) keep(t);
    this.buffers.set(name, { t, persistent });
    return t;
  }

  registerModule<M extends Module | null>(name: string, m: M): M {
    checkName(`${this.typeName}.registerModule`, name);
    if (m !== null && !(m instanceof Module)) throw new HeadsplatError(`${this.typeName}.registerModule: '${name}' must be a Module or null, got ${String(m)}`);
    if (this.params.has(name) || this.buffers.has(name)) throw new HeadsplatError(`${this.typeName}.registerModule: '${name}' is already a parameter or a buffer`);
    this.children.set(name, m);
    return m;
  }

  /** The buffer `name` (throws naming the module when it does not exist). */
  getBuffer(name: string): Tensor {
    const b = this.buffers.get(name);
    if (!b || !b.t) throw new HeadsplatError(`${this.typeName}.getBuffer: no buffer '${name}' (buffers: ${[...this.buffers.keys()].join(', ') || 'none'})`);
    return b.t;
  }

  /** Updates buffer `name` in place (same shape and dtype); `value` is not consumed. */
  setBuffer(name: string, value: Tensor): void {
    assignStorage(this.getBuffer(name), value, `${this.typeName}.setBuffer('${name}')`);
  }

  /** Direct children, in registration order. */
  *namedChildren(): IterableIterator<[string, Module]> {
    for (const [k, m] of this.children) if (m) yield [k, m];
  }

  /** This module and every descendant with its dotted path ('' for this one). */
  *namedModules(prefix = ''): IterableIterator<[string, Module]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }

  modules(): Module[] {
    return [...this.namedModules()].map(([, m]) => m);
  }

  /** Every parameter with its dotted name; a parameter shared by two modules is listed once. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const [k, p] of m.params) {
        if (!p || seen.has(p)) continue;
        seen.add(p);
        out.push([path ? `${path}.${k}` : k, p]);
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(opts: { persistentOnly?: boolean } = {}): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const [k, b] of m.buffers) {
        if (!b.t || (opts.persistentOnly && !b.persistent)) continue;
        out.push([path ? `${path}.${k}` : k, b.t]);
      }
    }
    return out;
  }

  /** Sets training mode here and in every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops the gradients of every parameter (PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * Parameters and persistent buffers by dotted name (PyTorch's state_dict order:
   * per module, parameters then buffers, depth first). The values are the live tensors,
   * not copies: read them (`await t.data()`) before changing the module.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [path, m] of this.namedModules()) {
      const pre = path ? `${path}.` : '';
      for (const [k, p] of m.params) if (p) out[pre + k] = p;
      for (const [k, b] of m.buffers) if (b.t && b.persistent) out[pre + k] = b.t;
    }
    return out;
  }

  /**
   * Copies values into the parameters and persistent buffers by name. Values may be
   * tensors (on the module's device) or host arrays from `readSafetensors` (converted to
   * the target's dtype, e.g. float16 -> float32, int64 -> int32). A shape mismatch always
   * throws; with `strict` (default) missing and unexpected keys throw too, every bad key
   * named in one message.
   */
  loadStateDict(dict: Record<string, StateValue> | Map<string, StateValue>, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const entries = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !entries.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !(k in own));
    const misShaped: string[] = [];
    for (const [k, target] of Object.entries(own)) {
      const v = entries.get(k);
      if (v === undefined) continue;
      if (!same(v.shape, target.shape)) misShaped.push(`'${k}': expected shape ${shapeStr(target.shape)}, got ${shapeStr(v.shape)}`);
    }
    const problems: string[] = [];
    if (misShaped.length) problems.push(`size mismatch for ${misShaped.join('; ')}`);
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
    if (problems.length) throw new HeadsplatError(`${this.typeName}.loadStateDict: ${problems.join('; ')}`);
    noGrad(() => {
      for (const [k, target] of Object.entries(own)) {
        const v = entries.get(k);
        if (v === undefined) continue;
        const value = toTensorLike(k, v, target);
        assignStorage(target, value, `${this.typeName}.loadStateDict('${k}')`);
        value.dispose();
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Moves every parameter and buffer to `device` in place (gradients are dropped). */
  async to(device: Device): Promise<this> {
    const tensors: Tensor[] = [...this.parameters(), ...this.namedBuffers().map(([, t]) => t)];
    for (const t of tensors) {
      if (t.device === device) continue;
      if (t instanceof Parameter) {
        t.grad?.dispose();
        t.grad = null;
      }
      const moved = await t.to(device);
      assignStorage(t, moved, `${this.typeName}.to('${device}')`);
      moved.dispose();
    }
    return this;
  }

  /** The device of the first parameter or buffer ('cpu' for a module that owns none). */
  get device(): Device {
    const t = this.parameters()[0] ?? this.namedBuffers()[0]?.[1];
    return t ? t.device : 'cpu';
  }

  /** Frees every parameter and buffer (and gradient). The module is unusable afterwards. */
  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
    for (const [, t] of this.namedBuffers()) t.dispose();
  }
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A fresh tensor holding `v`'s values with `target`'s dtype and device. */
function toTensorLike(key: string, v: StateValue, target: Tensor): Tensor {
  if (v instanceof Tensor) {
    if (v.device !== target.device) {
      throw new HeadsplatError(`loadStateDict: '${key}' must be on device '${target.device}', got '${v.device}' (use await t.to(...) or pass host arrays)`);
    }
    if (v.dtype !== target.dtype) {
      throw new HeadsplatError(`loadStateDict: '${key}' must have dtype ${target.dtype}, got ${v.dtype}`);
    }
    return v.clone();
  }
  const arr = toCoreArray(v, key);
  const isFloatTarget = target.dtype === 'float32' || target.dtype === 'float64';
  const isFloatSrc = arr.dtype === 'float32' || arr.dtype === 'float64';
  if (isFloatTarget !== isFloatSrc) {
    throw new HeadsplatError(`loadStateDict: '${key}' must hold ${isFloatTarget ? 'floating-point' : 'integer'} values (dtype ${target.dtype}), got ${v.dtype}`);
  }
  return tensor(arr.data, { shape: [...arr.shape], dtype: target.dtype, device: target.device });
}

/** A module mapping one tensor to one tensor (what Sequential chains). */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}
