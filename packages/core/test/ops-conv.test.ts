import { describe, expect, it } from 'vitest';
import { conv2d, convTranspose2d, mul, rand, zeros, type Tensor } from '../src/index.js';
import { gradcheck } from '../src/gradcheck.js';
import { describeBackends, expectClose, values } from './harness.js';

type P2 = [number, number];
interface Opts { stride?: P2; padding?: P2; dilation?: P2; groups?: number }

/** Reference: direct 7-loop cross-correlation (PyTorch conv2d definition). */
function refConv(x: number[], xs: number[], w: number[], ws: number[], b: number[] | null, o: Opts): { y: number[]; shape: number[] } {
  const [N, C, H, W] = xs;
  const [O, cg, kh, kw] = ws;
  const [sh, sw] = o.stride ?? [1, 1];
  const [ph, pw] = o.padding ?? [0, 0];
  const [dh, dw] = o.dilation ?? [1, 1];
  const g = o.groups ?? 1;
  const og = O / g;
  const Ho = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const Wo = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const y: number[] = [];
  for (let n = 0; n < N; n++) for (let oc = 0; oc < O; oc++) for (let oy = 0; oy < Ho; oy++) for (let ox = 0; ox < Wo; ox++) {
    let s = b ? b[oc] : 0;
    const gi = Math.floor(oc / og);
    for (let c = 0; c < cg; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * sh - ph + ky * dh;
      const ix = ox * sw - pw + kx * dw;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      s += x[((n * C + gi * cg + c) * H + iy) * W + ix] * w[((oc * cg + c) * kh + ky) * kw + kx];
    }
    y.push(s);
  }
  return { y, shape: [N, O, Ho, Wo] };
}

/** Reference transposed conv: scatter each input pixel through the kernel (PyTorch conv_transpose2d). */
function refConvT(x: number[], xs: number[], w: number[], ws: number[], o: Opts & { outputPadding?: P2 }): { y: number[]; shape: number[] } {
  const [N, Cin, H, W] = xs;
  const [, cog, kh, kw] = ws;
  const [sh, sw] = o.stride ?? [1, 1];
  const [ph, pw] = o.padding ?? [0, 0];
  const [dh, dw] = o.dilation ?? [1, 1];
  const [oph, opw] = o.outputPadding ?? [0, 0];
  const g = o.groups ?? 1;
  const cig = Cin / g;
  const Cout = cog * g;
  const Ho = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const Wo = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  const y = new Array<number>(N * Cout * Ho * Wo).fill(0);
  for (let n = 0; n < N; n++) for (let ci = 0; ci < Cin; ci++) for (let iy = 0; iy < H; iy++) for (let ix = 0; ix < W; ix++) {
    const gi = Math.floor(ci / cig);
    for (let co = 0; co < cog; co++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const oy = iy * sh - ph + ky * dh;
      const ox = ix * sw - pw + kx * dw;
      if (oy < 0 || oy >= Ho || ox < 0 || ox >= Wo) continue;
      y[((n * Cout + gi * cog + co) * Ho + oy) * Wo + ox] += x[((n * Cin + ci) * H + iy) * W + ix] * w[((ci * cog + co) * kh + ky) * kw + kx];
    }
  }
  return { y, shape: [N, Cout, Ho, Wo] };
}

const r = (shape: number[], seed: number, device: 'cpu' | 'webgpu' = 'cpu', dtype: 'float32' | 'float64' = 'float32'): Tensor =>
  rand(shape, { seed, device, dtype, low: -1, high: 1 });

const CASES: { name: string; x: number[]; w: number[]; o: Opts }[] = [
  { name: '3x3 unpadded', x: [2, 3, 7, 6], w: [4, 3, 3, 3], o: {} },
  { name: 'stride 2, padding 1', x: [1, 3, 8, 7], w: [5, 3, 3, 3], o: { stride: [2, 2], padding: [1, 1] } },
  { name: 'anisotropic stride/padding, dilation 2', x: [1, 2, 9, 8], w: [3, 2, 3, 2], o: { stride: [1, 2], padding: [2, 0], dilation: [2, 2] } },
  { name: 'groups 2', x: [2, 4, 6, 6], w: [6, 2, 3, 3], o: { groups: 2, padding: [1, 1] } },
  { name: 'depthwise (groups = C)', x: [1, 3, 5, 5], w: [3, 1, 3, 3], o: { groups: 3, padding: [1, 1] } },
  { name: '1x1 (no im2col)', x: [2, 5, 4, 3], w: [3, 5, 1, 1], o: {} },
];

describeBackends('conv2d', ({ device }) => {
  for (const c of CASES) {
    it(`matches the direct loop: ${c.name}`, async () => {
      const x = r(c.x, 1, device);
      const w = r(c.w, 2, device);
      const b = r([c.w[0]], 3, device);
      const ref = refConv(await values(x), c.x, await values(w), c.w, await values(b), c.o);
      const y = conv2d(x, w, { ...c.o, bias: b });
      expect(y.shape).toEqual(ref.shape);
      expectClose(await values(y), ref.y, 1e-5, 1e-5);
    });
  }

  it('computes input, weight and bias gradients that match the direct adjoints', async () => {
    const o: Opts = { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 };
    const x = r([2, 4, 7, 6], 4, device).requiresGrad_();
    const w = r([4, 2, 3, 2], 5, device).requiresGrad_();
    const b = r([4], 6, device).requiresGrad_();
    const y = conv2d(x, w, { ...o, bias: b });
    const gy = r([...y.shape], 7, device);
    y.backward(gy);
    const [xv, wv, gv] = [await values(x), await values(w), await values(gy)];
    // dx = conv_transpose(gy, w) with output padding fixing the size; dw via the pairing <gy, conv(x, e_k)>.
    const dx = refConvT(gv, [...y.shape], wv, [4, 2, 3, 2], { ...o, outputPadding: [0, 0] });
    // Pad the transpose result up to x's size (rows the forward never read have zero gradient).
    const want = new Array<number>(x.size).fill(0);
    const [, , Hd, Wd] = dx.shape;
    for (let n = 0; n < 2; n++) for (let c = 0; c < 4; c++) for (let i = 0; i < Math.min(7, Hd); i++) for (let j = 0; j < Math.min(6, Wd); j++) {
      want[((n * 4 + c) * 7 + i) * 6 + j] = dx.y[((n * 4 + c) * Hd + i) * Wd + j];
    }
    expectClose(await values(x.grad!), want, 1e-5, 1e-5);
    const dw: number[] = [];
    for (let k = 0; k < w.size; k++) {
      const e = new Array<number>(w.size).fill(0);
      e[k] = 1;
      dw.push(refConv(xv, [2, 4, 7, 6], e, [4, 2, 3, 2], null, o).y.reduce((s, v, i) => s + v * gv[i], 0));
    }
    expectClose(await values(w.grad!), dw, 1e-4, 1e-5);
    const db = [0, 1, 2, 3].map((oc) => gv.reduce((s, v, i) => s + (Math.floor(i / (y.shape[2] * y.shape[3])) % 4 === oc ? v : 0), 0));
    expectClose(await values(b.grad!), db, 1e-5, 1e-5);
  });

  it('rejects a channel mismatch naming both shapes', () => {
    const x = zeros([1, 3, 5, 5], { device });
    expect(() => conv2d(x, zeros([4, 2, 3, 3], { device }))).toThrow(/conv2d: w must have shape .*shape=\[1, 3, 5, 5\].*shape=\[4, 2, 3, 3\]/);
    expect(() => conv2d(x, zeros([4, 1, 3, 3], { device }), { groups: 2 })).toThrow(/divisible by groups/);
    expect(() => conv2d(x, zeros([4, 3, 7, 7], { device }))).toThrow(/output would be empty/);
    expect(() => conv2d(x, zeros([4, 3, 3, 3], { device }), { bias: zeros([3], { device }) })).toThrow(/bias must be a 1-D tensor of shape \[4\]/);
    expect(() => conv2d(x, zeros([4, 3, 3, 3], { device }), { stride: 0 })).toThrow(/stride must be an integer >= 1/);
    expect(() => conv2d(zeros([3, 5, 5], { device }), zeros([4, 3, 3, 3], { device }))).toThrow(/x must be a 4-D tensor/);
    expect(() => convTranspose2d(x, zeros([2, 4, 3, 3], { device }))).toThrow(/convTranspose2d: w must have shape \[Cin = 3/);
    expect(() => convTranspose2d(x, zeros([3, 4, 3, 3], { device }), { stride: 2, outputPadding: 2 })).toThrow(/outputPadding must be smaller than the stride/);
  });
});

const T_CASES: { name: string; x: number[]; w: number[]; o: Opts & { outputPadding?: P2 } }[] = [
  { name: 'stride 1', x: [1, 3, 4, 5], w: [3, 2, 3, 3], o: {} },
  { name: 'stride 2, padding 1, output padding 1', x: [2, 2, 4, 3], w: [2, 3, 3, 3], o: { stride: [2, 2], padding: [1, 1], outputPadding: [1, 1] } },
  { name: 'dilation 2, anisotropic stride, groups 2', x: [1, 4, 3, 4], w: [4, 1, 2, 3], o: { stride: [3, 1], dilation: [2, 2], groups: 2 } },
];

describeBackends('convTranspose2d', ({ device }) => {
  for (const c of T_CASES) {
    it(`matches the scatter loop: ${c.name}`, async () => {
      const x = r(c.x, 11, device);
      const w = r(c.w, 12, device);
      const cout = c.w[1] * (c.o.groups ?? 1);
      const b = r([cout], 13, device);
      const ref = refConvT(await values(x), c.x, await values(w), c.w, c.o);
      const bv = await values(b);
      const hw = ref.shape[2] * ref.shape[3];
      const y = convTranspose2d(x, w, { ...c.o, bias: b });
      expect(y.shape).toEqual(ref.shape);
      expectClose(await values(y), ref.y.map((v, i) => v + bv[Math.floor(i / hw) % cout]), 1e-5, 1e-5);
    });
  }
});

describe('conv gradients, float64 finite differences [cpu]', () => {
  const r64 = (shape: number[], seed: number) => r(shape, seed, 'cpu', 'float64').requiresGrad_();
  for (const c of CASES) {
    it(`conv2d ${c.name}`, () => {
      const x = r64([1, ...c.x.slice(1)], 21);
      const w = r64(c.w, 22);
      const b = r64([c.w[0]], 23);
      expect(gradcheck((xx, ww, bb) => conv2d(xx, ww, { ...c.o, bias: bb }), [x, w, b])).toBe(true);
    });
  }
  for (const c of T_CASES) {
    it(`convTranspose2d ${c.name}`, () => {
      const x = r64([1, ...c.x.slice(1)], 24);
      const w = r64(c.w, 25);
      const b = r64([c.w[1] * (c.o.groups ?? 1)], 26);
      expect(gradcheck((xx, ww, bb) => convTranspose2d(xx, ww, { ...c.o, bias: bb }), [x, w, b])).toBe(true);
    });
  }
  it('double backward through conv2d (its gradients are convolutions)', () => {
    const x0 = r64([1, 2, 5, 7], 29);
    const x = mul(x0, 1); // non-leaf: saved aliases of leaves do not route grads back (see report)
    const w = r64([3, 2, 3, 3], 27);
    const gy = r([1, 3, 3, 4], 28, 'cpu', 'float64');
    const v = r([3, 2, 3, 3], 30, 'cpu', 'float64');
    conv2d(x, w, { stride: 2, padding: 1 }).backward(gy, { createGraph: true });
    const before = Array.from(x0.grad!.dataSync());
    // <v, dL/dw> = <gy, conv(x, v)>, so its gradient w.r.t. x is conv_transpose(gy, v).
    w.grad!.backward(v);
    const want = refConvT(Array.from(gy.dataSync()), [1, 3, 3, 4], Array.from(v.dataSync()), [3, 2, 3, 3], { stride: [2, 2], padding: [1, 1] });
    expect(want.shape).toEqual([1, 2, 5, 7]);
    expectClose(x0.grad!.dataSync(), before.map((b, i) => b + want.y[i]), 1e-12, 1e-12);
  });
});
