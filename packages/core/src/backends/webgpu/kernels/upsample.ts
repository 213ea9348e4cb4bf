/**
 * Upsample / UpsampleBackward on WebGPU. The per-axis source taps (lo, hi, weight of hi) are
 * computed on the host with exactly the CPU kernel's float64 formulas (PyTorch's
 * F.interpolate index maps, see kernel-names.ts) and uploaded as small tables, so both
 * backends pick the same source pixels even where dst*in/out lands on an integer.
 * The backward gathers: per input index, a CSR list of (output index, weight) per axis, so
 * dx(iy, ix) = sum wy*wx*dy(oy, ox) with no atomics.
 */
import type { Tensor } from '../../../tensor.js';
import { Params } from '../params.js';
import { registerWebGPUKernel } from '../register.js';
import { st, type WebGPUBackend } from '../webgpu-backend.js';
import { declareBindings, linearWorkgroups, mainLinear } from '../wgsl.js';
import type { GpuStorage } from '../gpu-storage.js';

interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  t: Float64Array;
}

function taps(mode: 'nearest' | 'bilinear', inSize: number, outSize: number, alignCorners: boolean): Taps {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const t = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    if (mode === 'nearest') {
      lo[d] = hi[d] = Math.min(Math.floor(d * scale), inSize - 1);
      continue;
    }
    const src = alignCorners ? (outSize > 1 ? (d * (inSize - 1)) / (outSize - 1) : 0) : Math.max(0, (d + 0.5) * scale - 0.5);
    const l = Math.min(Math.floor(src), inSize - 1);
    lo[d] = l;
    hi[d] = Math.min(l + 1, inSize - 1);
    t[d] = src - l;
  }
  return { lo, hi, t };
}

/** Per axis: [lo..., hi...] as int32 and [t...] as float32, uploaded. */
function uploadTaps(backend: WebGPUBackend, tp: Taps): [GpuStorage, GpuStorage] {
  const idx = new Int32Array(tp.lo.length * 2);
  idx.set(tp.lo);
  idx.set(tp.hi, tp.lo.length);
  return [backend.upload('int32', idx), backend.upload('float32', Float32Array.from(tp.t))];
}

/** The adjoint of the taps: for each input index, the (output index, weight) pairs reading it (CSR). */
function uploadInverse(backend: WebGPUBackend, tp: Taps, inSize: number): [GpuStorage, GpuStorage] {
  const lists: [number, number][][] = Array.from({ length: inSize }, () => []);
  for (let d = 0; d < tp.lo.length; d++) {
    lists[tp.lo[d]].push([d, 1 - tp.t[d]]);
    if (tp.t[d] !== 0) lists[tp.hi[d]].push([d, tp.t[d]]);
  }
  const total = lists.reduce((a, l) => a + l.length, 0);
  const idx = new Int32Array(inSize + 1 + total);
  const w = new Float32Array(Math.max(total, 1));
  let at = 0;
  for (let i = 0; i < inSize; i++) {
    idx[i] = at;
    for (const [d, wt] of lists[i]) {
      idx[inSize + 1 + at] = d;
      w[at++] = wt;
    }
  }
  idx[inSize] = at;
  return [backend.upload('int32', idx), backend.upload('float32', w)];
}

function release(backend: WebGPUBackend, ...s: GpuStorage[]): void {
  for (const x of s) backend.free(x);
}

registerWebGPUKernel('Upsample', ([x]: Tensor[], { mode, size, alignCorners }, backend) => {
  const [N, C, H, W] = x.shape;
  const [Ho, Wo] = size;
  const n = N * C * Ho * Wo;
  const out = backend.createOutput(x.dtype, n);
  const [yi, yt] = uploadTaps(backend, taps(mode, H, Ho, alignCorners));
  const [xi, xt] = uploadTaps(backend, taps(mode, W, Wo, alignCorners));
  backend.dispatch({
    key: 'upsample',
    source: () =>
      [
        declareBindings([['X', 'f32'], ['YI', 'i32'], ['YT', 'f32'], ['XI', 'i32'], ['XT', 'f32']], [['out', 'f32']]),
        mainLinear('P.n', `  let ox = i % P.Wo; let oy = (i / P.Wo) % P.Ho; let nc = i / (P.Wo * P.Ho);
  let base = nc * P.H * P.W;
  let r0 = base + u32(YI[oy]) * P.W; let r1 = base + u32(YI[P.Ho + oy]) * P.W;
  let a = u32(XI[ox]); let b = u32(XI[P.Wo + ox]); let wx = XT[ox]; let wy = YT[oy];
  let top = X[r0 + a] + (X[r0 + b] - X[r0 + a]) * wx;
  let bot = X[r1 + a] + (X[r1 + b] - X[r1 + a]) * wx;
  out[i] = top + (bot - top) * wy;`),
      ].join('\n'),
    inputs: [st(x), yi, yt, xi, xt],
    outputs: [out],
    params: new Params().u32('n', n).u32('H', H).u32('W', W).u32('Ho', Ho).u32('Wo', Wo),
    workgroups: linearWorkgroups(n),
  });
  release(backend, yi, yt, xi, xt);
  return { storage: out, shape: [N, C, Ho, Wo], dtype: x.dtype };
});

registerWebGPUKernel('UpsampleBackward', ([dy], { mode, inputShape, alignCorners }, backend) => {
  const [N, C, H, W] = inputShape;
  const [, , Ho, Wo] = dy.shape;
  const n = N * C * H * W;
  const out = backend.createOutput(dy.dtype, n);
  const [yi, yw] = uploadInverse(backend, taps(mode, H, Ho, alignCorners), H);
  const [xi, xw] = uploadInverse(backend, taps(mode, W, Wo, alignCorners), W);
  backend.dispatch({
    key: 'upsample-bwd',
    source: () =>
      [
        declareBindings([['DY', 'f32'], ['YI', 'i32'], ['YW', 'f32'], ['XI', 'i32'], ['XW', 'f32']], [['out', 'f32']]),
        mainLinear('P.n', `  let ix = i % P.W; let iy = (i / P.W) % P.H; let nc = i / (P.W * P.H);
  let base = nc * P.Ho * P.Wo;
  var s = 0.0;
  for (var a = YI[iy]; a < YI[iy + 1u]; a++) {
    let row = base + u32(YI[P.H + 1u + u32(a)]) * P.Wo; let wy = YW[a];
    var r = 0.0;
    for (var b = XI[ix]; b < XI[ix + 1u]; b++) { r += XW[b] * DY[row + u32(XI[P.W + 1u + u32(b)])]; }
    s += wy * r;
  }
  out[i] = s;`),
      ].join('\n'),
    inputs: [st(dy), yi, yw, xi, xw],
    outputs: [out],
    params: new Params().u32('n', n).u32('H', H).u32('W', W).u32('Ho', Ho).u32('Wo', Wo),
    workgroups: linearWorkgroups(n),
  });
  release(backend, yi, yw, xi, xw);
  return { storage: out, shape: [...inputShape], dtype: dy.dtype };
});
