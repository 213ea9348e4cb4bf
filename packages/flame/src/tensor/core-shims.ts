import { defineOp, runKernel, tensor, Tensor, type TypedArray } from '@headsplat/core';

/**
 * Two shape ops that @headsplat/core does not export yet (its shape ops are being written).
 * Swap these for core's `reshape` and `indexSelect` when they land; until then:
 * - `reshape` is a view over the same storage, exactly what core's internal `view` does, with
 *   its gradient (the inverse reshape) recorded through the public custom-op API;
 * - `gatherRows` uses core's IndexSelect kernel on devices that register it and a host loop on
 *   the CPU otherwise; its gradient is the matching scatter-add (IndexAdd kernel or host loop).
 */

/** Storage-sharing view; `Tensor`'s constructor and `ref` are core internals used as core's `view` does. */
function viewOf(x: Tensor, shape: number[]): Tensor {
  const ref = (x as unknown as { ref: { retain(): unknown } }).ref.retain();
  return new (Tensor as unknown as new (ref: unknown, shape: number[], dtype: string) => Tensor)(ref, shape, x.dtype);
}

/** Reshape to `shape` (same number of elements), differentiable. */
export function reshape(x: Tensor, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== x.size) throw new Error(`reshape: shape [${shape.join(', ')}] must have ${x.size} elements to match x [${x.shape.join(', ')}]`);
  if (shape.length === x.shape.length && shape.every((d, i) => d === x.shape[i])) return x;
  // The backward needs the input shape: a per-call op keeps it in a closure.
  const inShape = [...x.shape];
  const op = defineOp({
    name: 'flame.reshape',
    forward: (_ctx, t: Tensor) => viewOf(t, shape),
    backward: (_ctx, g) => [reshape(g!, inShape)],
  });
  return op(x) as Tensor;
}

function hostRows(x: Tensor, idx: Int32Array, outRows: number, scatter: boolean): Tensor {
  const src = x.dataSync();
  const C = x.shape[x.rank - 1];
  const rowsIn = x.shape[x.rank - 2];
  const lead = x.size / (rowsIn * C);
  const Ctor = src.constructor as new (n: number) => TypedArray;
  const out = new Ctor(lead * outRows * C);
  for (let b = 0; b < lead; b++) {
    for (let i = 0; i < idx.length; i++) {
      const from = scatter ? (b * rowsIn + i) * C : (b * rowsIn + idx[i]) * C;
      const to = scatter ? (b * outRows + idx[i]) * C : (b * outRows + i) * C;
      for (let c = 0; c < C; c++) {
        if (scatter) out[to + c] += src[from + c];
        else out[to + c] = src[from + c];
      }
    }
  }
  return tensor(out, { shape: [...x.shape.slice(0, -2), outRows, C], dtype: x.dtype, device: x.device });
}

function withKernel(fallback: () => Tensor, kernel: () => Tensor): Tensor {
  try {
    return kernel();
  } catch (e) {
    if (e instanceof Error && /no kernel registered/.test(e.message)) return fallback();
    throw e;
  }
}

/** x (..., N, C) -> (..., idx.length, C) with out[..., i, :] = x[..., idx[i], :]; differentiable in x. */
export function gatherRows(x: Tensor, idx: Int32Array): Tensor {
  const rowsIn = x.shape[x.rank - 2];
  const axis = x.rank - 2;
  const op = defineOp({
    name: 'flame.gatherRows',
    forward: (_ctx, t: Tensor) => {
      const it = tensor(idx, { shape: [idx.length], dtype: 'int32', device: t.device });
      return withKernel(() => hostRows(t, idx, idx.length, false), () => runKernel('IndexSelect', [t, it], { axis })[0]);
    },
    backward: (_ctx, g) => [scatterRows(g!, idx, rowsIn)],
  });
  return op(x) as Tensor;
}

/** Gradient of gatherRows: (..., M, C) -> (..., rows, C) with out[..., idx[i], :] += g[..., i, :]. */
export function scatterRows(g: Tensor, idx: Int32Array, rows: number): Tensor {
  const axis = g.rank - 2;
  const op = defineOp({
    name: 'flame.scatterRows',
    forward: (_ctx, t: Tensor) => {
      const it = tensor(idx, { shape: [idx.length], dtype: 'int32', device: t.device });
      return withKernel(() => hostRows(t, idx, rows, true), () => runKernel('IndexAdd', [t, it], { axis, dimSize: rows })[0]);
    },
    backward: (_ctx, gg) => [gatherRows(gg!, idx)],
  });
  return op(g) as Tensor;
}
