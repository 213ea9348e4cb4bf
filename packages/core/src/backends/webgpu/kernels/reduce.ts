/**
 * Reduce (sum, prod, max, min, argmax, argmin) over any set of axes, without a
 * transpose: the input is read through two strided maps, kept(o) + reduced(r), where
 * o enumerates the output and r the reduced elements (both axis-merged).
 *
 * - Many outputs or short reductions: one thread per output, serial loop over r.
 * - Column sums (contiguous outputs, long strided reduction): one thread per (output, chunk),
 *   then a second Reduce over the chunks.
 * - Few long reductions: one 64-thread workgroup per (output, chunk), strided loads and
 *   a shared-memory tree; with fewer than 8 outputs the reduction is split into up to
 *   64 chunks whose partials a second Reduce combines (so both CPU cores get work).
 * NaN semantics as the CPU kernel: max/min propagate NaN; argmax/argmin return the
 * first index of the extreme value, skip NaN, except that a NaN first element wins.
 */
import type { DType } from '../../../dtype.js';
import type { ReduceOpName } from '../../../kernel-names.js';
import { sizeOf, stridesOf } from '../../../shape.js';
import type { GpuStorage } from '../gpu-storage.js';
import { Params } from '../params.js';
import { registerWebGPUKernel } from '../register.js';
import { st, type WebGPUBackend } from '../webgpu-backend.js';
import { declareBindings, linearWorkgroups, mainLinear, simplifyStrided, stridedOffsetFn, wgslType, type WgslScalar } from '../wgsl.js';
import { bitsOf } from './strided.js';

const RWG = 64;

function initValue(op: ReduceOpName, dtype: DType): number {
  const t = wgslType(dtype);
  if (op === 'sum') return 0;
  if (op === 'prod') return 1;
  const hi = op === 'min' || op === 'argmin';
  if (t === 'f32') return hi ? Infinity : -Infinity;
  if (t === 'i32') return hi ? 2147483647 : -2147483648;
  return hi ? 0xffffffff : 0;
}

/** WGSL combining accumulator `a` with value `v` (non-arg ops). */
function combine(op: ReduceOpName, a: string, v: string, t: WgslScalar): string {
  switch (op) {
    case 'sum': return `${a} + ${v}`;
    case 'prod': return `${a} * ${v}`;
    default: {
      const f = op === 'max' ? 'max' : 'min';
      return t === 'f32' ? `select(${f}(${a}, ${v}), ${a} + ${v}, !(${a} == ${a}) || !(${v} == ${v}))` : `${f}(${a}, ${v})`;
    }
  }
}

/** Whether (v, vi) beats (a, ai) for argmax/argmin: strictly better, or equal with a smaller index. */
function argBetter(op: ReduceOpName, v: string, vi: string, a: string, ai: string): string {
  const cmp = op === 'argmax' ? '>' : '<';
  return `(${v} ${cmp} ${a} || (${v} == ${a} && ${vi} < ${ai}))`;
}

interface Plan {
  keptShape: number[];
  keptStrides: number[];
  redShape: number[];
  redStrides: number[];
  outN: number;
  R: number;
}

function reduce(backend: WebGPUBackend, x: GpuStorage, op: ReduceOpName, plan: Plan): GpuStorage {
  const { outN, R } = plan;
  const isArg = op === 'argmax' || op === 'argmin';
  const t = wgslType(x.dtype);
  const outT = isArg ? 'i32' : t;
  const kr = plan.keptShape.length;
  const rr = plan.redShape.length;
  const params = () =>
    new Params()
      .u32('outN', outN)
      .u32('R', R)
      .u32('init', bitsOf(initValue(op, x.dtype), x.dtype))
      .u32s('kshape', plan.keptShape)
      .i32s('kstrides', plan.keptStrides)
      .u32s('rshape', plan.redShape)
      .i32s('rstrides', plan.redStrides);
  const fns = [stridedOffsetFn('keptOff', kr, 'kshape', 'kstrides'), stridedOffsetFn('redOff', rr, 'rshape', 'rstrides')];
  const init = t === 'u32' ? 'P.init' : `bitcast<${t}>(P.init)`;
  // A NaN first element is argmax/argmin's answer (the CPU's sequential scan never replaces it).
  const nanFirst = isArg && t === 'f32' ? `  { let v0 = x[base + redOff(0u)]; if (!(v0 == v0)) { ai = 0u; } }` : '';

  if (outN >= 2048 || R <= 64) {
    const out = backend.createOutput(isArg ? 'int32' : x.dtype, outN);
    const loop = isArg
      ? `    if (${argBetter(op, 'v', 'r', 'acc', 'ai')}) { acc = v; ai = r; }`
      : `    acc = ${combine(op, 'acc', 'v', t)};`;
    backend.dispatch({
      key: `reduceT:${op}:${t}:${kr}:${rr}`,
      source: () =>
        [
          declareBindings([['x', t]], [['out', outT]]),
          ...fns,
          mainLinear(
            'P.outN',
            [
              '  let base = keptOff(i);',
              `  var acc: ${t} = ${init};`,
              '  var ai = 0xffffffffu;',
              '  for (var r = 0u; r < P.R; r++) {',
              '    let v = x[base + redOff(r)];',
              loop,
              '  }',
              nanFirst,
              isArg ? '  out[i] = i32(select(ai, 0u, ai == 0xffffffffu));' : '  out[i] = acc;',
            ].join('\n'),
          ),
        ].join('\n'),
      inputs: [x],
      outputs: [out],
      params: params(),
      workgroups: linearWorkgroups(outN),
    });
    return out;
  }

  if (!isArg && outN >= 8 && plan.keptStrides[kr - 1] === 1 && R >= 1024) {
    // Column sums (kept elements contiguous, reduced axis strided; e.g. a bias gradient over
    // the rows): one thread per (output, chunk of the reduced axis) so that adjacent lanes read
    // adjacent elements, then a second Reduce over the <= 64 chunks. The workgroup-per-output
    // path below reads one cache line per element there and synchronises through workgroup
    // memory (barriers are coroutine switches on llvmpipe). The MLP step's bias gradients
    // (65,536 x 256 -> 256, 7 per step) took about 3x less device time this way
    // (bench/profile-mlp.ts: 7 x reduceW 584-714 ms, 7 x reduceC 226-228 ms, loaded machine).
    const chunks = Math.min(64, Math.ceil(R / 256));
    const chunk = Math.ceil(R / chunks);
    const partial = backend.createOutput(x.dtype, outN * chunks);
    backend.dispatch({
      key: `reduceC:${op}:${t}:${kr}:${rr}`,
      source: () =>
        [
          declareBindings([['x', t]], [['out', outT]]),
          ...fns,
          mainLinear(
            'P.outN * P.chunks',
            [
              '  let o = i % P.outN;',
              '  let r0 = (i / P.outN) * P.chunk;',
              '  let r1 = min(P.R, r0 + P.chunk);',
              '  let base = keptOff(o);',
              `  var acc: ${t} = ${init};`,
              '  for (var r = r0; r < r1; r++) {',
              '    let v = x[base + redOff(r)];',
              `    acc = ${combine(op, 'acc', 'v', t)};`,
              '  }',
              '  out[i] = acc;',
            ].join('\n'),
          ),
        ].join('\n'),
      inputs: [x],
      outputs: [partial],
      params: params().u32('chunks', chunks).u32('chunk', chunk),
      workgroups: linearWorkgroups(outN * chunks),
    });
    const out = reduce(backend, partial, op, { keptShape: [outN], keptStrides: [1], redShape: [chunks], redStrides: [outN], outN, R: chunks });
    backend.free(partial);
    return out;
  }

  const chunks = !isArg && outN < 8 && R >= 16384 ? Math.min(64, Math.ceil(R / 4096)) : 1;
  const chunk = Math.ceil(R / chunks);
  const partial = backend.createOutput(isArg ? 'int32' : x.dtype, outN * chunks);
  const tree = isArg
    ? `      if (${argBetter(op, 'sv[lid.x + s]', 'si[lid.x + s]', 'sv[lid.x]', 'si[lid.x]')}) { sv[lid.x] = sv[lid.x + s]; si[lid.x] = si[lid.x + s]; }`
    : `      sv[lid.x] = ${combine(op, 'sv[lid.x]', 'sv[lid.x + s]', t)};`;
  const loop = isArg
    ? `    if (${argBetter(op, 'v', 'r', 'acc', 'ai')}) { acc = v; ai = r; }`
    : `    acc = ${combine(op, 'acc', 'v', t)};`;
  backend.dispatch({
    key: `reduceW:${op}:${t}:${kr}:${rr}`,
    source: () =>
      [
        declareBindings([['x', t]], [['out', outT]]),
        ...fns,
        `var<workgroup> sv: array<${t}, ${RWG}>;`,
        `var<workgroup> si: array<u32, ${RWG}>;`,
        `@compute @workgroup_size(${RWG})`,
        'fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {',
        '  let g = wid.x + wid.y * nwg.x;',
        '  if (g >= P.outN * P.chunks) { return; }',
        '  let o = g / P.chunks;',
        '  let r0 = (g % P.chunks) * P.chunk;',
        '  let r1 = min(P.R, r0 + P.chunk);',
        '  let base = keptOff(o);',
        `  var acc: ${t} = ${init};`,
        '  var ai = 0xffffffffu;',
        `  for (var r = r0 + lid.x; r < r1; r += ${RWG}u) {`,
        '    let v = x[base + redOff(r)];',
        loop,
        '  }',
        '  sv[lid.x] = acc;',
        '  si[lid.x] = ai;',
        '  workgroupBarrier();',
        `  for (var s = ${RWG / 2}u; s > 0u; s = s >> 1u) {`,
        '    if (lid.x < s) {',
        tree,
        '    }',
        '    workgroupBarrier();',
        '  }',
        '  if (lid.x == 0u) {',
        isArg ? `    var ai = si[0];\n  ${nanFirst}\n    out[g] = i32(select(ai, 0u, ai == 0xffffffffu));` : '    out[g] = sv[0];',
        '  }',
        '}',
      ].join('\n'),
    inputs: [x],
    outputs: [partial],
    params: params().u32('chunks', chunks).u32('chunk', chunk),
    workgroups: linearWorkgroups(outN * chunks, 1),
  });
  if (chunks === 1) return partial;
  const out = reduce(backend, partial, op, { keptShape: [outN], keptStrides: [chunks], redShape: [chunks], redStrides: [1], outN, R: chunks });
  backend.free(partial);
  return out;
}

registerWebGPUKernel('Reduce', ([x], { op, axes }, backend) => {
  const shape = x.shape;
  const strides = stridesOf(shape);
  const kept = shape.map((_, i) => i).filter((a) => !axes.includes(a));
  const outShape = kept.map((a) => shape[a]);
  const k = simplifyStrided(outShape, [kept.map((a) => strides[a])]);
  const r = simplifyStrided(axes.map((a) => shape[a]), [axes.map((a) => strides[a])]);
  const plan: Plan = {
    keptShape: k.shape,
    keptStrides: k.strides[0],
    redShape: r.shape,
    redStrides: r.strides[0],
    outN: sizeOf(outShape),
    R: sizeOf(axes.map((a) => shape[a])),
  };
  const dtype = op === 'argmax' || op === 'argmin' ? 'int32' : x.dtype;
  return { storage: reduce(backend, st(x), op, plan), shape: outShape, dtype };
});
