import { HeadsplatError, Tensor, keep, noGrad, tensor, tidy, toCoreArray, type NamedArray } from '@headsplat/core';
import { Parameter, assignStorage } from '../parameter.js';

/** Hyper-parameters of one group; every optimiser has `lr`. */
export interface GroupOptions {
  lr?: number;
  [key: string]: unknown;
}

/** A group of parameters with its own hyper-parameters (PyTorch's param_groups). */
export interface ParamGroup<H> {
  params: Parameter[];
  options: H & { lr: number };
  /** The learning rate the schedulers scale (PyTorch's initial_lr). */
  initialLr: number;
}

export type ParamsArg<H> = Iterable<Parameter> | ({ params: Iterable<Parameter> } & Partial<H>)[];

/** Per-parameter state: tensors (moments) and numbers (step). */
export type ParamState = Record<string, Tensor | number>;

/**
 * PyTorch-shaped optimiser state: per parameter index (in group order), and the groups'
 * hyper-parameters with the indices of their parameters.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

/** State as read back from a file: tensors may be host arrays. */
export interface OptimizerStateDictInput {
  state: Record<number, Record<string, Tensor | NamedArray | number>>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * Base optimiser: parameter groups, per-parameter state, zeroGrad and state dicts.
 * Subclasses implement `update(p, grad, state, options)` returning the new value, built
 * from core ops; `step()` runs it inside `tidy` and swaps the result into the parameter.
 */
export abstract class Optimizer<H extends { lr: number }> {
  readonly paramGroups: ParamGroup<H>[] = [];
  protected readonly state = new Map<Parameter, ParamState>();

  constructor(readonly name: string, params: ParamsArg<H>, protected readonly defaults: H) {
    const list = [...params] as (Parameter | ({ params: Iterable<Parameter> } & Partial<H>))[];
    if (list.length === 0) throw new HeadsplatError(`${name}: params must not be empty`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Parameter[] }] : (list as ({ params: Iterable<Parameter> } & Partial<H>)[]);
    const seen = new Set<Parameter>();
    groups.forEach((g, gi) => {
      const ps = [...g.params];
      ps.forEach((p, i) => {
        if (!(p instanceof Parameter)) throw new HeadsplatError(`${name}: param_groups[${gi}].params[${i}] must be a Parameter, got ${String(p)}`);
        if (seen.has(p)) throw new HeadsplatError(`${name}: a parameter appears in more than one group (param_groups[${gi}].params[${i}])`);
        seen.add(p);
      });
      const { params: _p, ...rest } = g;
      const options = { ...defaults, ...rest } as H;
      this.validate(options, gi);
      this.paramGroups.push({ params: ps, options, initialLr: options.lr });
    });
  }

  protected validate(o: H, gi: number): void {
    if (!(o.lr >= 0 && Number.isFinite(o.lr))) throw new HeadsplatError(`${this.name}: param_groups[${gi}].lr must be a finite number >= 0, got ${o.lr}`);
  }

  /** The new value of `p` (and the new state tensors, written into `state`). Runs inside tidy. */
  protected abstract update(p: Parameter, grad: Tensor, state: ParamState, options: H): Tensor;

  /** One update of every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (!p.grad) continue;
          const grad = p.grad;
          let st = this.state.get(p);
          if (!st) this.state.set(p, (st = {}));
          const s = st;
          tidy(() => {
            const next = this.update(p, grad, s, group.options);
            p.assign_(next);
            for (const v of Object.values(s)) if (v instanceof Tensor) keep(v);
          });
        }
      }
    });
  }

  /** Replaces a state tensor, disposing the old one. */
  protected setState(s: ParamState, key: string, value: Tensor): void {
    const old = s[key];
    s[key] = value;
    if (old instanceof Tensor && old !== value) old.dispose();
  }

  zeroGrad(): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  /** Every parameter in group order (the indices of the state dict). */
  private allParams(): Parameter[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** PyTorch-shaped state (live tensors, not copies). */
  stateDict(): OptimizerStateDict {
    const params = this.allParams();
    const state: Record<number, ParamState> = {};
    params.forEach((p, i) => {
      const s = this.state.get(p);
      if (s) state[i] = { ...s };
    });
    let k = 0;
    const param_groups = this.paramGroups.map((g) => ({ ...g.options, initial_lr: g.initialLr, params: g.params.map(() => k++) }));
    return { state, param_groups };
  }

  /** Restores state saved by `stateDict` (same groups and parameter shapes). */
  loadStateDict(dict: OptimizerStateDictInput): void {
    const op = `${this.name}.loadStateDict`;
    if (!dict || !Array.isArray(dict.param_groups) || typeof dict.state !== 'object') throw new HeadsplatError(`${op}: dict must have 'state' and 'param_groups'`);
    if (dict.param_groups.length !== this.paramGroups.length) {
      throw new HeadsplatError(`${op}: expected ${this.paramGroups.length} param_groups, got ${dict.param_groups.length}`);
    }
    dict.param_groups.forEach((g, gi) => {
      const n = this.paramGroups[gi].params.length;
      if (g.params.length !== n) throw new HeadsplatError(`${op}: param_groups[${gi}] must have ${n} params, got ${g.params.length}`);
    });
    const params = this.allParams();
    const staged = new Map<Parameter, ParamState>();
    for (const [key, s] of Object.entries(dict.state)) {
      const i = Number(key);
      const p = params[i];
      if (!p) throw new HeadsplatError(`${op}: state index ${key} is out of range (the optimiser has ${params.length} parameters)`);
      const out: ParamState = {};
      for (const [name, v] of Object.entries(s)) {
        if (typeof v === 'number') { out[name] = v; continue; }
        const shape = v.shape;
        if (shape.length !== p.shape.length || shape.some((d, j) => d !== p.shape[j])) {
          throw new HeadsplatError(`${op}: state[${i}].${name} must have shape [${p.shape.join(', ')}] (the parameter's), got [${shape.join(', ')}]`);
        }
        if (v instanceof Tensor) {
          if (v.device !== p.device) throw new HeadsplatError(`${op}: state[${i}].${name} must be on device '${p.device}', got '${v.device}'`);
          out[name] = keep(v.clone());
        } else {
          const arr = toCoreArray(v, `state.${i}.${name}`);
          out[name] = keep(tensor(arr.data, { shape: [...shape], dtype: p.dtype, device: p.device }));
        }
      }
      staged.set(p, out);
    }
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
    for (const [p, s] of staged) this.state.set(p, s);
    dict.param_groups.forEach((g, gi) => {
      const { params: _p, initial_lr, ...rest } = g;
      const group = this.paramGroups[gi];
      group.options = { ...group.options, ...rest } as H & { lr: number };
      if (typeof initial_lr === 'number') group.initialLr = initial_lr;
    });
  }

  /** Frees the optimiser state. */
  dispose(): void {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
  }
}

export { assignStorage };
