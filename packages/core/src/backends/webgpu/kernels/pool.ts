/**
 * Pool2d (avg / max with argmax) and Pool2dBackward on WebGPU, one thread per output element,
 * with PyTorch's window rules as in the CPU kernel (window start o*s - p, clipped; the average's
 * divisor is the window clipped to the padded input when countIncludePad, else to the input;
 * max keeps the first maximum in row-major order and propagates NaN).
 * The backward gathers instead of scattering (no atomics): input pixel y receives from the
 * outputs oy with oy*s - p <= y < oy*s - p + k, i.e. oy in [ceil((y + p - k + 1)/s), floor((y + p)/s)].
 */
import { Params } from '../params.js';
import { registerWebGPUKernel } from '../register.js';
import { st } from '../webgpu-backend.js';
import { declareBindings, linearWorkgroups, mainLinear } from '../wgsl.js';

const outSize = (n: number, k: number, s: number, p: number): number => Math.floor((n + 2 * p - k) / s) + 1;

/** `fn window(oy, ox) -> vec4<i32>` (h0, h1, w0, w1 clipped to the input) and `fn divisor(oy, ox) -> f32`. */
const WINDOW_FNS = `
fn window(oy: i32, ox: i32) -> vec4<i32> {
  let h0 = oy * P.sh - P.ph; let w0 = ox * P.sw - P.pw;
  return vec4<i32>(max(h0, 0), min(h0 + P.kh, P.H), max(w0, 0), min(w0 + P.kw, P.W));
}
fn divisor(oy: i32, ox: i32) -> f32 {
  let h0 = oy * P.sh - P.ph; let w0 = ox * P.sw - P.pw;
  if (P.countPad != 0u) {
    return f32((min(h0 + P.kh, P.H + P.ph) - h0) * (min(w0 + P.kw, P.W + P.pw) - w0));
  }
  let w = window(oy, ox);
  return f32((w.y - w.x) * (w.w - w.z));
}
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }`;

function poolParams(H: number, W: number, Ho: number, Wo: number, a: { kernel: [number, number]; stride: [number, number]; padding: [number, number]; countIncludePad: boolean }, n: number): Params {
  return new Params()
    .u32('n', n).i32('H', H).i32('W', W).i32('Ho', Ho).i32('Wo', Wo)
    .i32('kh', a.kernel[0]).i32('kw', a.kernel[1]).i32('sh', a.stride[0]).i32('sw', a.stride[1]).i32('ph', a.padding[0]).i32('pw', a.padding[1])
    .u32('countPad', a.countIncludePad ? 1 : 0)
    // -Infinity, the max's start value: WGSL rejects non-finite constants.
    .f32('negInf', -Infinity);
}

registerWebGPUKernel('Pool2d', ([x], a, backend) => {
  const [N, C, H, W] = x.shape;
  const Ho = outSize(H, a.kernel[0], a.stride[0], a.padding[0]);
  const Wo = outSize(W, a.kernel[1], a.stride[1], a.padding[1]);
  const n = N * C * Ho * Wo;
  const shape = [N, C, Ho, Wo];
  const out = backend.createOutput(x.dtype, n);
  const max = a.kind === 'max';
  const arg = max ? backend.createOutput('int32', n) : null;
  const body = max
    ? `  var best = P.negInf; var bi = w.x * P.W + w.z;
  for (var y = w.x; y < w.y; y++) {
    for (var xx = w.z; xx < w.w; xx++) {
      let v = X[base + u32(y * P.W + xx)];
      if (v > best || isNan(v)) { best = v; bi = y * P.W + xx; if (isNan(v)) { break; } }
    }
    if (isNan(best)) { break; }
  }
  out[i] = best; arg[i] = bi;`
    : `  var s = 0.0;
  for (var y = w.x; y < w.y; y++) { for (var xx = w.z; xx < w.w; xx++) { s += X[base + u32(y * P.W + xx)]; } }
  out[i] = s / divisor(oy, ox);`;
  backend.dispatch({
    key: `pool2d:${a.kind}`,
    source: () =>
      [
        declareBindings([['X', 'f32']], max ? [['out', 'f32'], ['arg', 'i32']] : [['out', 'f32']]),
        WINDOW_FNS,
        mainLinear('P.n', `  let ox = i32(i % u32(P.Wo)); let oy = i32((i / u32(P.Wo)) % u32(P.Ho)); let nc = i / u32(P.Wo * P.Ho);
  let base = nc * u32(P.H * P.W); let w = window(oy, ox);
${body}`),
      ].join('\n'),
    inputs: [st(x)],
    outputs: arg ? [out, arg] : [out],
    params: poolParams(H, W, Ho, Wo, a, n),
    workgroups: linearWorkgroups(n),
  });
  const y = { storage: out, shape, dtype: x.dtype };
  return arg ? [y, { storage: arg, shape, dtype: 'int32' as const }] : y;
});

registerWebGPUKernel('Pool2dBackward', (inputs, a, backend) => {
  const [dy, argmax] = inputs;
  const [N, C, H, W] = a.inputShape;
  const [, , Ho, Wo] = dy.shape;
  const n = N * C * H * W;
  const out = backend.createOutput(dy.dtype, n);
  const max = a.kind === 'max';
  const term = max ? 'select(0.0, DY[o], ARG[o] == y * P.W + x)' : 'DY[o] / divisor(oy, ox)';
  backend.dispatch({
    key: `pool2d-bwd:${a.kind}`,
    source: () =>
      [
        declareBindings(max ? [['DY', 'f32'], ['ARG', 'i32']] : [['DY', 'f32']], [['out', 'f32']]),
        WINDOW_FNS,
        // ceil division for possibly negative numerators, by a positive stride.
        'fn cdiv(a: i32, b: i32) -> i32 { return select(-((-a) / b), (a + b - 1) / b, a > 0); }',
        mainLinear('P.n', `  let x = i32(i % u32(P.W)); let y = i32((i / u32(P.W)) % u32(P.H)); let nc = i / u32(P.W * P.H);
  let oy0 = max(cdiv(y + P.ph - P.kh + 1, P.sh), 0); let oy1 = min((y + P.ph) / P.sh, P.Ho - 1);
  let ox0 = max(cdiv(x + P.pw - P.kw + 1, P.sw), 0); let ox1 = min((x + P.pw) / P.sw, P.Wo - 1);
  var s = 0.0;
  for (var oy = oy0; oy <= oy1; oy++) {
    for (var ox = ox0; ox <= ox1; ox++) {
      let o = nc * u32(P.Ho * P.Wo) + u32(oy * P.Wo + ox);
      s += ${term};
    }
  }
  out[i] = s;`),
      ].join('\n'),
    inputs: max ? [st(dy), st(argmax)] : [st(dy)],
    outputs: [out],
    params: poolParams(H, W, Ho, Wo, a, n),
    workgroups: linearWorkgroups(n),
  });
  return { storage: out, shape: [...a.inputShape], dtype: dy.dtype };
});
