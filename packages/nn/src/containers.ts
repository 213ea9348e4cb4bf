import { HeadsplatError, type Tensor } from '@headsplat/core';
import { Module, type TensorModule } from './module.js';

/**
 * Chains modules (torch.nn.Sequential). Children are named '0', '1', ... or, from
 * `[name, module]` entries, by the given names (LPIPS's `slice2` starts at '4').
 */
export class Sequential extends Module implements TensorModule {
  private readonly order: TensorModule[] = [];

  constructor(...modules: TensorModule[] | [[string, TensorModule][]]) {
    super();
    const entries: [string, TensorModule][] =
      modules.length === 1 && Array.isArray(modules[0]) ? (modules[0] as [string, TensorModule][]) : (modules as TensorModule[]).map((m, i) => [String(i), m]);
    for (const [name, m] of entries) this.append(m, name);
  }

  append(m: TensorModule, name = String(this.order.length)): this {
    if (typeof (m as { forward?: unknown }).forward !== 'function') throw new HeadsplatError(`Sequential.append: module '${name}' must have a forward(x) method`);
    this.registerModule(name, m);
    this.order.push(m);
    return this;
  }

  get length(): number {
    return this.order.length;
  }

  at(i: number): TensorModule {
    const m = this.order.at(i);
    if (!m) throw new HeadsplatError(`Sequential.at: index must be in [-${this.order.length}, ${this.order.length}), got ${i}`);
    return m;
  }

  [Symbol.iterator](): Iterator<TensorModule> {
    return this.order[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    for (const m of this.order) x = m.forward(x);
    return x;
  }
}

/** A list of submodules named '0', '1', ... (torch.nn.ModuleList). */
export class ModuleList<M extends Module = Module> extends Module {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.push(m);
  }

  push(m: M): this {
    this.registerModule(String(this.items.length), m);
    this.items.push(m);
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    const m = this.items.at(i);
    if (!m) throw new HeadsplatError(`ModuleList.at: index must be in [-${this.items.length}, ${this.items.length}), got ${i}`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/** Submodules by name (torch.nn.ModuleDict); names must not contain '.'. */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly items = new Map<string, M>();

  constructor(modules: Record<string, M> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  set(name: string, m: M): this {
    if (this.items.has(name)) throw new HeadsplatError(`ModuleDict.set: '${name}' is already present`);
    this.registerModule(name, m);
    this.items.set(name, m);
    return this;
  }

  get(name: string): M {
    const m = this.items.get(name);
    if (!m) throw new HeadsplatError(`ModuleDict.get: no module '${name}' (keys: ${[...this.items.keys()].join(', ') || 'none'})`);
    return m;
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  entries(): [string, M][] {
    return [...this.items.entries()];
  }
}
