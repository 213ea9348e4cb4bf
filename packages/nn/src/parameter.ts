import { HeadsplatError, Tensor, assign_, keep } from '@headsplat/core';

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Points `target` at the storage of `value` (same shape and dtype, any device), releasing
 * what `target` held. The tensor object keeps its identity, so every module attribute,
 * optimiser slot and `.grad` keyed on it stays valid; tensors saved for a pending backward
 * hold their own reference to the old storage and are unaffected.
 * This is how optimisers, `loadStateDict` and `Module.to` update tensors that are
 * otherwise immutable (tfjs's Variable.assign plays the same role).
 */
export function assignStorage(target: Tensor, value: Tensor, what = 'assign'): void {
  target.assertLive(what);
  value.assertLive(what);
  if (!same(target.shape, value.shape)) {
    throw new HeadsplatError(`${what}: value must have shape [${target.shape.join(', ')}], got [${value.shape.join(', ')}]`);
  }
  if (target.dtype !== value.dtype) throw new HeadsplatError(`${what}: value must have dtype ${target.dtype}, got ${value.dtype}`);
  const old = target.ref;
  target.ref = value.ref.retain();
  old.release();
}

/**
 * A leaf tensor that a Module owns and optimisers update (torch.nn.Parameter). It shares
 * the storage of the tensor it is made from; `Parameter.from` also disposes that tensor.
 * Parameters are exempt from `tidy` scopes: a module built inside `tidy` keeps them.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    data.assertLive('Parameter');
    if (data.dtype !== 'float32' && data.dtype !== 'float64') {
      throw new HeadsplatError(`Parameter: data must be a float32 or float64 tensor, got dtype ${data.dtype}`);
    }
    super(data.ref.retain(), data.shape, data.dtype);
    if (requiresGrad) this.requiresGrad_(true);
    keep(this);
  }

  /** A parameter taking over `data` (which is disposed; its storage lives on in the parameter). */
  static from(data: Tensor, requiresGrad = true): Parameter {
    const p = new Parameter(data, requiresGrad);
    data.dispose();
    return p;
  }

  /**
   * Copies `value`'s values into this parameter's own storage (same shape, dtype and
   * device), unrecorded, with core's `assign_`: the parameter keeps its buffer, so
   * anything bound to it stays valid. `value` is not consumed (dispose it, or let tidy).
   */
  assign_(value: Tensor): this {
    try {
      assign_(this, value);
    } catch (e) {
      if (e instanceof HeadsplatError) throw new HeadsplatError(`Parameter.${e.message}`);
      throw e;
    }
    return this;
  }

  override toString(): string {
    return `Parameter(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }
}
