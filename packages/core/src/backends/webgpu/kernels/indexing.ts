/**
 * IndexSelect, IndexAdd, GatherElements, ScatterAddElements.
 *
 * The scatter-adds (IndexAdd, ScatterAddElements) run one thread per source element
 * and add into the zero-filled output atomically. WGSL has no float atomics, so float32
 * adds are a compare-and-swap loop on atomic<u32> with bitcasts; int32/uint32 use
 * atomicAdd. Chosen over a deterministic segmented (sort-based) reduction because it
 * is O(n) with no index sort; the cost is that the ORDER of float additions into one
 * slot varies between runs (results agree with the CPU within float32 rounding, not
 * bit-exactly, when indices repeat).
 * Negative indices count from the end, as in PyTorch (the op validates their range).
 */
import type { DType } from '../../../dtype.js';
import { sizeOf, stridesOf } from '../../../shape.js';
import { Params } from '../params.js';
import { registerWebGPUKernel } from '../register.js';
import { st } from '../webgpu-backend.js';
import { declareBindings, indicesOf, linearWorkgroups, mainLinear, wgslType } from '../wgsl.js';

/** WGSL: atomically adds `v` (type t) into out[j], `out` declared as array<atomic<u32|i32>>. */
function atomicAddStmt(t: string, j: string, v: string): string {
  if (t !== 'f32') return `  atomicAdd(&out[${j}], ${v});`;
  return [
    `  var old = atomicLoad(&out[${j}]);`,
    '  loop {',
    `    let r = atomicCompareExchangeWeak(&out[${j}], old, bitcast<u32>(bitcast<f32>(old) + ${v}));`,
    '    if (r.exchanged) { break; }',
    '    old = r.old_value;',
    '  }',
  ].join('\n');
}
const atomicType = (t: string) => (t === 'i32' ? 'atomic<i32>' : 'atomic<u32>');

registerWebGPUKernel('IndexSelect', ([x, index], { axis }, backend) => {
  const shape = [...x.shape];
  const J = index.size;
  shape[axis] = J;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const n = sizeOf(shape);
  const out = backend.createOutput(x.dtype, n);
  const t = wgslType(x.dtype);
  backend.dispatch({
    key: `indexSelect:${t}`,
    source: () =>
      [
        declareBindings([['x', t], ['idx', 'i32']], [['out', t]]),
        mainLinear(
          'P.n',
          [
            '  let in_ = i % P.inner;',
            '  let j = (i / P.inner) % P.J;',
            '  let o = i / (P.inner * P.J);',
            '  var k = idx[j]; if (k < 0) { k = k + i32(P.dim); }',
            '  out[i] = x[(o * P.dim + u32(k)) * P.inner + in_];',
          ].join('\n'),
        ),
      ].join('\n'),
    inputs: [st(x), st(index)],
    outputs: [out],
    params: new Params().u32('n', n).u32('inner', inner).u32('J', J).u32('dim', x.shape[axis]),
    workgroups: linearWorkgroups(n),
  });
  return { storage: out, shape, dtype: x.dtype };
});

registerWebGPUKernel('IndexAdd', ([src, index], { axis, dimSize }, backend) => {
  const shape = [...src.shape];
  shape[axis] = dimSize;
  const inner = sizeOf(src.shape.slice(axis + 1));
  const J = index.size;
  const out = backend.alloc(src.dtype, sizeOf(shape));
  const t = wgslType(src.dtype);
  backend.dispatch({
    key: `indexAdd:${t}`,
    source: () =>
      [
        declareBindings([['src', t], ['idx', 'i32']], [['out', atomicType(t)]]),
        mainLinear(
          'P.n',
          [
            '  let in_ = i % P.inner;',
            '  let j = (i / P.inner) % P.J;',
            '  let o = i / (P.inner * P.J);',
            '  var k = idx[j]; if (k < 0) { k = k + i32(P.dim); }',
            '  let dst = (o * P.dim + u32(k)) * P.inner + in_;',
            atomicAddStmt(t, 'dst', 'src[i]'),
          ].join('\n'),
        ),
      ].join('\n'),
    inputs: [st(src), st(index)],
    outputs: [out],
    params: new Params().u32('n', src.size).u32('inner', inner).u32('J', J).u32('dim', dimSize),
    workgroups: linearWorkgroups(src.size),
  });
  return { storage: out, shape, dtype: src.dtype };
});

/** Offset into a tensor of `strides` of element `i` of `index` (shape `ishape`), with `axis` replaced by index[i]. */
function elementOffset(rank: number, axis: number): string {
  const terms: string[] = [];
  for (let d = 0; d < rank; d++) terms.push(d === axis ? 'u32(k) * P.strides[' + d + ']' : `e${d} * P.strides[${d}]`);
  return [
    indicesOf('e', rank, 'i', 'ishape'),
    '  var k = idx[i]; if (k < 0) { k = k + i32(P.dim); }',
    `  let off = ${terms.join(' + ')};`,
  ].join('\n');
}

registerWebGPUKernel('GatherElements', ([x, index], { axis }, backend) => {
  const rank = index.rank;
  const n = index.size;
  const out = backend.createOutput(x.dtype, n);
  const t = wgslType(x.dtype);
  backend.dispatch({
    key: `gatherElements:${t}:${rank}:${axis}`,
    source: () =>
      [declareBindings([['x', t], ['idx', 'i32']], [['out', t]]), mainLinear('P.n', `${elementOffset(rank, axis)}\n  out[i] = x[off];`)].join('\n'),
    inputs: [st(x), st(index)],
    outputs: [out],
    params: new Params().u32('n', n).u32('dim', x.shape[axis]).u32s('ishape', index.shape).u32s('strides', stridesOf(x.shape)),
    workgroups: linearWorkgroups(n),
  });
  return { storage: out, shape: index.shape, dtype: x.dtype };
});

registerWebGPUKernel('ScatterAddElements', ([src, index], { axis, shape }, backend) => {
  const rank = index.rank;
  const n = index.size;
  const dtype: DType = src.dtype;
  const out = backend.alloc(dtype, sizeOf(shape));
  const t = wgslType(dtype);
  const sstrides = stridesOf(src.shape);
  // src may be larger than index along any axis (torch semantics): read it by index position.
  const srcTerms = Array.from({ length: rank }, (_, d) => `e${d} * P.sstrides[${d}]`).join(' + ') || '0u';
  backend.dispatch({
    key: `scatterAddElements:${t}:${rank}:${axis}`,
    source: () =>
      [
        declareBindings([['src', t], ['idx', 'i32']], [['out', atomicType(t)]]),
        mainLinear('P.n', `${elementOffset(rank, axis)}\n  let v = src[${srcTerms}];\n${atomicAddStmt(t, 'off', 'v')}`),
      ].join('\n'),
    inputs: [st(src), st(index)],
    outputs: [out],
    params: new Params()
      .u32('n', n)
      .u32('dim', shape[axis])
      .u32s('ishape', index.shape)
      .u32s('strides', stridesOf(shape))
      .u32s('sstrides', sstrides),
    workgroups: linearWorkgroups(n),
  });
  return { storage: out, shape, dtype };
});
