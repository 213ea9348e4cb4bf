/**
 * Layout kernels built on one strided gather, out[i] = x[base + sum_d idx_d * stride_d]
 * (idx = unravel(i, out.shape)): Transpose (permuted strides), BroadcastTo (stride 0 on
 * broadcast axes), Slice (strides scaled by steps, possibly negative). Concat writes
 * each input through the mirror-image strided scatter; Pad bounds-checks per axis.
 * Axes are merged first (simplifyStrided), so most calls run at rank 1-3.
 */
import type { DType } from '../../../dtype.js';
import { sizeOf, stridesOf } from '../../../shape.js';
import type { GpuStorage } from '../gpu-storage.js';
import { Params } from '../params.js';
import { registerWebGPUKernel } from '../register.js';
import { st, type WebGPUBackend } from '../webgpu-backend.js';
import { broadcastStrides, declareBindings, indicesOf, linearWorkgroups, mainLinear, simplifyStrided, stridedOffsetFn, wgslType } from '../wgsl.js';

/** out (shape) = gather of x with the given strides and base offset. */
export function stridedGather(backend: WebGPUBackend, x: GpuStorage, shape: readonly number[], strides: readonly number[], base: number): GpuStorage {
  const n = sizeOf(shape);
  const out = backend.createOutput(x.dtype, n);
  const simp = simplifyStrided(shape, [strides]);
  const rank = simp.shape.length;
  if (rank === 0 || (rank === 1 && simp.strides[0][0] === 1)) {
    backend.copy(x, base, out, 0, n);
    return out;
  }
  const t = wgslType(x.dtype);
  backend.dispatch({
    key: `gather:${t}:${rank}`,
    source: () =>
      [
        declareBindings([['x', t]], [['out', t]]),
        stridedOffsetFn('src', rank, 'shape', 'strides', 'base'),
        mainLinear('P.n', '  out[i] = x[src(i)];'),
      ].join('\n'),
    inputs: [x],
    outputs: [out],
    params: new Params().u32('n', n).i32('base', base).u32s('shape', simp.shape).i32s('strides', simp.strides[0]),
    workgroups: linearWorkgroups(n),
  });
  return out;
}

registerWebGPUKernel('Transpose', ([x], { perm }, backend) => {
  const xs = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p]);
  return { storage: stridedGather(backend, st(x), shape, perm.map((p) => xs[p]), 0), shape, dtype: x.dtype };
});

registerWebGPUKernel('BroadcastTo', ([x], { shape }, backend) => ({
  storage: stridedGather(backend, st(x), shape, broadcastStrides(x.shape, shape), 0),
  shape,
  dtype: x.dtype,
}));

registerWebGPUKernel('Slice', ([x], { start, step, size }, backend) => {
  const xs = stridesOf(x.shape);
  const base = start.reduce((a, s, d) => a + s * xs[d], 0);
  return { storage: stridedGather(backend, st(x), size, step.map((s, d) => s * xs[d]), base), shape: size, dtype: x.dtype };
});

registerWebGPUKernel('Concat', (xs, { axis }, backend) => {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((a, x) => a + x.shape[axis], 0);
  const dtype: DType = xs[0].dtype;
  const out = backend.createOutput(dtype, sizeOf(shape));
  const os = stridesOf(shape);
  const t = wgslType(dtype);
  let at = 0;
  for (const x of xs) {
    const n = x.size;
    const simp = simplifyStrided(x.shape, [os]);
    const rank = simp.shape.length;
    const base = at * os[axis];
    at += x.shape[axis];
    if (n === 0) continue;
    if (rank <= 1 && (rank === 0 || simp.strides[0][0] === 1)) {
      backend.copy(st(x), 0, out, base, n);
      continue;
    }
    backend.dispatch({
      key: `scatterStrided:${t}:${rank}`,
      source: () =>
        [
          declareBindings([['x', t]], [['out', t]]),
          stridedOffsetFn('dst', rank, 'shape', 'strides', 'base'),
          mainLinear('P.n', '  out[dst(i)] = x[i];'),
        ].join('\n'),
      inputs: [st(x)],
      outputs: [out],
      params: new Params().u32('n', n).i32('base', base).u32s('shape', simp.shape).i32s('strides', simp.strides[0]),
      workgroups: linearWorkgroups(n),
    });
  }
  return { storage: out, shape, dtype };
});

const valueBits = new DataView(new ArrayBuffer(4));
/** The 32-bit pattern of `v` stored as dtype (for Params fields read with bitcast). */
export function bitsOf(v: number, dtype: DType): number {
  if (dtype === 'float32') valueBits.setFloat32(0, v, true);
  else if (dtype === 'int32') valueBits.setInt32(0, v, true);
  else valueBits.setUint32(0, dtype === 'bool' ? (v ? 1 : 0) : v >>> 0, true);
  return valueBits.getUint32(0, true);
}

registerWebGPUKernel('Pad', ([x], { pads, value }, backend) => {
  const shape = x.shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const n = sizeOf(shape);
  const rank = shape.length;
  const out = backend.createOutput(x.dtype, n);
  const t = wgslType(x.dtype);
  const checks: string[] = [];
  const terms: string[] = [];
  for (let d = 0; d < rank; d++) {
    checks.push(`  let s${d} = i32(o${d}) - P.before[${d}]; inside = inside && s${d} >= 0 && s${d} < i32(P.xshape[${d}]);`);
    terms.push(`u32(s${d}) * P.xstrides[${d}]`);
  }
  backend.dispatch({
    key: `pad:${t}:${rank}`,
    source: () =>
      [
        declareBindings([['x', t]], [['out', t]]),
        mainLinear(
          'P.n',
          [
            indicesOf('o', rank, 'i', 'shape'),
            '  var inside = true;',
            ...checks,
            `  if (inside) { out[i] = x[${terms.join(' + ') || '0u'}]; } else { out[i] = bitcast<${t}>(P.value); }`,
          ].join('\n'),
        ),
      ].join('\n'),
    inputs: [st(x)],
    outputs: [out],
    params: new Params()
      .u32('n', n)
      .u32('value', bitsOf(value, x.dtype))
      .u32s('shape', shape)
      .u32s('xshape', x.shape)
      .u32s('xstrides', stridesOf(x.shape))
      .i32s('before', pads.map((p) => p[0])),
    workgroups: linearWorkgroups(n),
  });
  return { storage: out, shape, dtype: x.dtype };
});
