/**
 * CPU-vs-WebGPU agreement of every catalog kernel the WebGPU backend implements here,
 * at the kernel level (the op suites test the same through the public ops). Random
 * inputs, CPU as the oracle, float32 tolerances.
 */
import { beforeAll, describe, it } from 'vitest';
import { tensor, type DType, type Tensor } from '../src/index.js';
import { hasKernel, registerKernel, runKernel } from '../src/op.js';
import { allocArray, type TypedArray } from '../src/dtype.js';
import { stridesOf } from '../src/shape.js';
import { initWebGPU } from '../src/backends/webgpu/index.js';
import type { KernelAttrs, KernelName, UnaryOpName, BinaryOpName } from '../src/kernel-names.js';
import { expectClose, requireWebGPU } from './harness.js';

let ready = false;
beforeAll(async () => {
  try {
    await initWebGPU();
    ready = true;
  } catch (e) {
    // No adapter: requireWebGPU (harness) fails each WebGPU test under CI=true, skips it elsewhere.
    console.warn(`[webgpu] skipping webgpu-kernels tests: ${(e as Error).message}`);
  }
}, 120_000);

/**
 * Plain references for catalog kernels whose CPU kernel has not landed yet in this
 * checkout; registered only when the CPU backend lacks them (the CPU kernel, when
 * present, is the oracle).
 */
type Ref = (xs: Tensor[], attrs: never) => { v: ArrayLike<number>; shape: number[]; dtype: DType };
const unravel = (i: number, shape: readonly number[]) => {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return idx;
};
const dot = (idx: number[], st: number[]) => idx.reduce((a, v, d) => a + v * st[d], 0);
const erfRef = (x: number) => {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
};
const UNARY_REF: Record<string, (x: number, a: KernelAttrs['Unary']) => number> = {
  neg: (x) => -x, abs: Math.abs, exp: Math.exp, log: Math.log, sqrt: Math.sqrt, rsqrt: (x) => 1 / Math.sqrt(x),
  sin: Math.sin, cos: Math.cos, tanh: Math.tanh, sigmoid: (x) => 1 / (1 + Math.exp(-x)), relu: (x) => (x > 0 ? x : 0),
  leakyRelu: (x, a) => (x > 0 ? x : x * (a.alpha ?? 0.01)), softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  gelu: (x) => 0.5 * x * (1 + erfRef(x / Math.SQRT2)), square: (x) => x * x, sign: Math.sign, floor: Math.floor, ceil: Math.ceil,
  round: Math.round, reciprocal: (x) => 1 / x, clamp: (x, a) => Math.min(Math.max(x, a.min ?? -Infinity), a.max ?? Infinity),
  powScalar: (x, a) => Math.pow(x, a.p ?? 1), logicalNot: (x) => +(x === 0), step: (x) => +(x > 0), erf: erfRef,
};
const REFS: Partial<Record<KernelName, Ref>> = {
  Unary: ([x], a: KernelAttrs['Unary']) => ({ v: Array.from(x.dataSync(), (v) => UNARY_REF[a.op](v, a)), shape: [...x.shape], dtype: a.op === 'logicalNot' ? 'bool' : x.dtype }),
  Cumsum: ([x], { axis, reverse }: KernelAttrs['Cumsum']) => {
    const X = x.dataSync(); const out = new Array<number>(x.size).fill(0); const inner = stridesOf(x.shape)[axis]; const L = x.shape[axis];
    for (let i = 0; i < x.size; i++) {
      const k = Math.floor(i / inner) % L; const base = i - k * inner; let acc = 0;
      if (reverse) for (let j = k; j < L; j++) acc += X[base + j * inner]; else for (let j = 0; j <= k; j++) acc += X[base + j * inner];
      out[i] = acc;
    }
    return { v: out, shape: [...x.shape], dtype: x.dtype };
  },
  Transpose: ([x], { perm }: KernelAttrs['Transpose']) => {
    const shape = perm.map((p) => x.shape[p]); const xs = stridesOf(x.shape); const X = x.dataSync();
    return { v: Array.from({ length: x.size }, (_, i) => X[dot(unravel(i, shape), perm.map((p) => xs[p]))]), shape, dtype: x.dtype };
  },
  BroadcastTo: ([x], { shape }: KernelAttrs['BroadcastTo']) => {
    const off = shape.length - x.rank; const xs = stridesOf(x.shape); const X = x.dataSync();
    const n = shape.reduce((a, b) => a * b, 1);
    return { v: Array.from({ length: n }, (_, i) => X[unravel(i, shape).slice(off).reduce((a, v, d) => a + (x.shape[d] === 1 ? 0 : v * xs[d]), 0)]), shape, dtype: x.dtype };
  },
  Slice: ([x], { start, step, size }: KernelAttrs['Slice']) => {
    const xs = stridesOf(x.shape); const X = x.dataSync(); const n = size.reduce((a, b) => a * b, 1);
    return { v: Array.from({ length: n }, (_, i) => X[unravel(i, size).reduce((a, v, d) => a + (start[d] + v * step[d]) * xs[d], 0)]), shape: size, dtype: x.dtype };
  },
  Concat: (xs, { axis }: KernelAttrs['Concat']) => {
    const shape = [...xs[0].shape]; shape[axis] = xs.reduce((a, x) => a + x.shape[axis], 0);
    const n = shape.reduce((a, b) => a * b, 1); const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const idx = unravel(i, shape); let k = 0; let at = idx[axis];
      while (at >= xs[k].shape[axis]) at -= xs[k++].shape[axis];
      idx[axis] = at; out[i] = xs[k].dataSync()[dot(idx, stridesOf(xs[k].shape))];
    }
    return { v: out, shape, dtype: xs[0].dtype };
  },
  Pad: ([x], { pads, value }: KernelAttrs['Pad']) => {
    const shape = x.shape.map((d, i) => d + pads[i][0] + pads[i][1]); const n = shape.reduce((a, b) => a * b, 1); const X = x.dataSync();
    return { v: Array.from({ length: n }, (_, i) => {
      const idx = unravel(i, shape).map((v, d) => v - pads[d][0]);
      return idx.every((v, d) => v >= 0 && v < x.shape[d]) ? X[dot(idx, stridesOf(x.shape))] : value;
    }), shape, dtype: x.dtype };
  },
  IndexSelect: ([x, ix], { axis }: KernelAttrs['IndexSelect']) => {
    const I = ix.dataSync(); const shape = [...x.shape]; shape[axis] = I.length; const n = shape.reduce((a, b) => a * b, 1); const X = x.dataSync();
    return { v: Array.from({ length: n }, (_, i) => { const idx = unravel(i, shape); idx[axis] = I[idx[axis]]; return X[dot(idx, stridesOf(x.shape))]; }), shape, dtype: x.dtype };
  },
  IndexAdd: ([src, ix], { axis, dimSize }: KernelAttrs['IndexAdd']) => {
    const I = ix.dataSync(); const shape = [...src.shape]; shape[axis] = dimSize; const out = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0); const S = src.dataSync();
    for (let i = 0; i < src.size; i++) { const idx = unravel(i, src.shape); idx[axis] = I[idx[axis]]; out[dot(idx, stridesOf(shape))] += S[i]; }
    return { v: out, shape, dtype: src.dtype };
  },
  GatherElements: ([x, ix], { axis }: KernelAttrs['GatherElements']) => {
    const I = ix.dataSync(); const X = x.dataSync();
    return { v: Array.from({ length: ix.size }, (_, i) => { const idx = unravel(i, ix.shape); idx[axis] = I[i]; return X[dot(idx, stridesOf(x.shape))]; }), shape: [...ix.shape], dtype: x.dtype };
  },
  ScatterAddElements: ([src, ix], { axis, shape }: KernelAttrs['ScatterAddElements']) => {
    const I = ix.dataSync(); const S = src.dataSync(); const out = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
    for (let i = 0; i < ix.size; i++) { const idx = unravel(i, ix.shape); const s = S[dot(idx, stridesOf(src.shape))]; idx[axis] = I[i]; out[dot(idx, stridesOf(shape))] += s; }
    return { v: out, shape, dtype: src.dtype };
  },
};
for (const [name, ref] of Object.entries(REFS) as [KernelName, Ref][]) {
  if (hasKernel('cpu', name)) continue;
  registerKernel('cpu', name, (xs: Tensor[], attrs: never, b) => {
    const r = ref(xs, attrs);
    const data: TypedArray = allocArray(r.dtype, r.v.length);
    for (let i = 0; i < r.v.length; i++) data[i] = r.v[i];
    return { storage: b.upload(r.dtype, data), shape: r.shape, dtype: r.dtype };
  });
}

let seed = 1;
function rand(n: number, lo = -2, hi = 2, int = false): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const u = lo + ((hi - lo) * seed) / 2147483648;
    out.push(int ? Math.floor(u) : u);
  }
  return out;
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface In { v: number[]; shape: number[]; dtype?: DType }
const R = (shape: number[], lo = -2, hi = 2): In => ({ v: rand(size(shape), lo, hi), shape });
const I = (shape: number[], lo: number, hi: number, dtype: DType = 'int32'): In => ({ v: rand(size(shape), lo, hi, true), shape, dtype });

async function agree<N extends KernelName>(name: N, inputs: In[], attrs: KernelAttrs[N], tol = 2e-5): Promise<void> {
  if (!ready) return;
  const run = async (device: 'cpu' | 'webgpu') => {
    const ts: Tensor[] = inputs.map((x) => tensor(x.v, { shape: x.shape, dtype: x.dtype ?? 'float32', device }));
    const outs = runKernel(name, ts, attrs, device);
    const res = await Promise.all(outs.map(async (o) => ({ shape: [...o.shape], dtype: o.dtype, v: Array.from(await o.data(), Number) })));
    for (const t of [...ts, ...outs]) t.dispose();
    return res;
  };
  const [c, g] = [await run('cpu'), await run('webgpu')];
  for (let k = 0; k < c.length; k++) {
    if (JSON.stringify(c[k].shape) !== JSON.stringify(g[k].shape) || c[k].dtype !== g[k].dtype) {
      throw new Error(`${name}: output ${k} is ${g[k].dtype}[${g[k].shape}] on webgpu, ${c[k].dtype}[${c[k].shape}] on cpu`);
    }
    expectClose(g[k].v, c[k].v, tol, tol);
  }
}

const UNARY: UnaryOpName[] = ['neg', 'abs', 'exp', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'softplus', 'gelu', 'square', 'sign', 'floor', 'ceil', 'reciprocal', 'step', 'erf', 'logicalNot'];
const BINARY: BinaryOpName[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'atan2', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr'];

describe('WebGPU kernels agree with the CPU [webgpu]', () => {
  requireWebGPU('webgpu-kernels');
  it('Unary: every float op', async () => {
    for (const op of UNARY) await agree('Unary', [R([5, 7], -4, 4)], { op }, 1e-5).catch((e: Error) => { throw new Error(`${op}: ${e.message}`); });
    await agree('Unary', [R([64], 0.1, 5)], { op: 'log' });
    await agree('Unary', [R([64], 0.1, 5)], { op: 'sqrt' });
    await agree('Unary', [R([64], 0.1, 5)], { op: 'rsqrt' });
    await agree('Unary', [R([64], -5, 5)], { op: 'leakyRelu', alpha: 0.2 });
    await agree('Unary', [R([64], -5, 5)], { op: 'clamp', min: -1, max: Infinity });
    await agree('Unary', [R([64], -5, 5)], { op: 'powScalar', p: 3 });
    await agree('Unary', [R([64], 0.1, 5)], { op: 'powScalar', p: 0.3 }, 1e-4);
  });

  it('Unary: int32', async () => {
    for (const op of ['neg', 'abs', 'square', 'sign', 'relu'] as UnaryOpName[]) await agree('Unary', [I([33], -9, 9)], { op });
  });

  it('Binary: every op, same shape, broadcast and scalar', async () => {
    for (const op of BINARY) {
      await agree('Binary', [R([4, 6]), R([4, 6])], { op });
      await agree('Binary', [R([3, 1, 5]), R([4, 1])], { op });
      await agree('Binary', [R([7]), R([])], { op });
    }
    await agree('Binary', [R([9], 0.1, 3), R([9], -2, 2)], { op: 'pow' }, 1e-4);
    await agree('Binary', [I([9], -3, 3), I([9], 0, 4)], { op: 'pow' });
  });

  it('Binary: int32 and bool', async () => {
    for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'lt', 'eq'] as BinaryOpName[]) {
      await agree('Binary', [I([5, 4], -20, 20), I([4], -5, 5)], { op });
    }
    await agree('Binary', [I([6], 0, 2, 'bool'), I([6], 0, 2, 'bool')], { op: 'logicalAnd' });
  });

  it('Where, Cast, Fill, Copy', async () => {
    await agree('Where', [I([3, 4], 0, 2, 'bool'), R([3, 4]), R([4])], {});
    for (const [from, to] of [['float32', 'int32'], ['float32', 'bool'], ['int32', 'float32'], ['bool', 'float32'], ['int32', 'uint32'], ['float32', 'uint32']] as [DType, DType][]) {
      const x = from === 'float32' ? R([10], -5, 5) : I([10], from === 'bool' ? 0 : -5, from === 'bool' ? 2 : 5, from);
      await agree('Cast', [x], { dtype: to });
    }
    await agree('Fill', [], { shape: [3, 2], dtype: 'float32', value: 2.5 });
    await agree('Fill', [], { shape: [4], dtype: 'int32', value: -3 });
    await agree('Copy', [R([17])], {});
  });

  it('Reduce: all ops over various axes, both strategies', async () => {
    for (const op of ['sum', 'max', 'min', 'prod'] as const) {
      await agree('Reduce', [R([4, 5, 6], 0.5, 1.5)], { op, axes: [1] }, 1e-5);
      await agree('Reduce', [R([4, 5, 6], 0.5, 1.5)], { op, axes: [0, 2] }, 1e-5);
      await agree('Reduce', [R([3, 300], 0.9, 1.1)], { op, axes: [1] }, 1e-4);
    }
    await agree('Reduce', [R([70000])], { op: 'sum', axes: [0] }, 1e-3);
    await agree('Reduce', [R([3000, 4])], { op: 'sum', axes: [1] });
    await agree('Reduce', [I([4, 100], -50, 50)], { op: 'sum', axes: [1] });
    for (const op of ['argmax', 'argmin'] as const) {
      await agree('Reduce', [R([6, 7])], { op, axes: [1] });
      await agree('Reduce', [R([6, 7])], { op, axes: [0] });
      await agree('Reduce', [I([2, 500], 0, 3)], { op, axes: [1] });
    }
  });

  it('Cumsum, Transpose, BroadcastTo, Slice, Concat, Pad', async () => {
    await agree('Cumsum', [R([3, 4, 5])], { axis: 1, reverse: false });
    await agree('Cumsum', [R([3, 4, 5])], { axis: 2, reverse: true });
    await agree('Transpose', [R([2, 3, 4])], { perm: [2, 0, 1] });
    await agree('Transpose', [I([5, 6], -9, 9)], { perm: [1, 0] });
    await agree('BroadcastTo', [R([3, 1])], { shape: [2, 3, 4] });
    await agree('Slice', [R([5, 6])], { start: [4, 1], step: [-2, 2], size: [3, 3] });
    await agree('Slice', [R([5, 6])], { start: [1, 0], step: [1, 1], size: [2, 6] });
    await agree('Concat', [R([2, 3]), R([2, 1]), R([2, 4])], { axis: 1 });
    await agree('Concat', [R([2, 3]), R([1, 3])], { axis: 0 });
    await agree('Pad', [R([2, 3])], { pads: [[1, 0], [2, 1]], value: -1.5 });
  });

  it('IndexSelect, IndexAdd, GatherElements, ScatterAddElements', async () => {
    await agree('IndexSelect', [R([5, 3]), { v: [4, 0, 0, 2], shape: [4], dtype: 'int32' }], { axis: 0 });
    await agree('IndexSelect', [R([2, 5, 3]), { v: [1, 3], shape: [2], dtype: 'int32' }], { axis: 1 });
    await agree('IndexAdd', [R([4, 3]), { v: [2, 0, 2, 1], shape: [4], dtype: 'int32' }], { axis: 0, dimSize: 3 }, 1e-5);
    await agree('IndexAdd', [I([2, 4], -5, 5), { v: [1, 1, 0, 1], shape: [4], dtype: 'int32' }], { axis: 1, dimSize: 2 });
    await agree('GatherElements', [R([3, 4]), { v: [0, 3, 3, 1, 2, 2], shape: [3, 2], dtype: 'int32' }], { axis: 1 });
    await agree('ScatterAddElements', [R([3, 2]), { v: [0, 3, 3, 3, 2, 2], shape: [3, 2], dtype: 'int32' }], { axis: 1, shape: [3, 4] }, 1e-5);
  });
});
