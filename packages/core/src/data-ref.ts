import type { Backend } from './backend.js';
import type { DType } from './dtype.js';

/**
 * A reference-counted handle on backend storage. Tensors that are views of the same
 * data (reshape, detach, tensors saved for backward) share one DataRef.
 */
export class DataRef {
  refs = 1;
  /** Bumped by each in-place write (`assign_`); autograd checks it on saved tensors. */
  version = 0;
  constructor(
    readonly backend: Backend,
    readonly storage: unknown,
    readonly dtype: DType,
    readonly size: number,
  ) {}

  retain(): this {
    if (this.refs <= 0) throw new Error('DataRef.retain: storage already freed (use of a disposed tensor)');
    this.refs++;
    return this;
  }

  release(): void {
    if (this.refs <= 0) return;
    if (--this.refs === 0) this.backend.free(this.storage, this.dtype, this.size);
  }
}
