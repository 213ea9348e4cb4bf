import { tensor } from '@headsplat/core';
import { LPIPS, ssim as ssimTensor } from '@headsplat/nn';
import { describe, expect, it } from 'vitest';
import { gaussianWindow, lpips, psnr, ssim } from '../src/index.js';

function noiseImage(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

describe('psnr', () => {
  it('is 20 dB for a uniform error of 0.1, scale-free with dataRange, Infinity for identical images', () => {
    const a = new Float32Array(300), b = new Float32Array(300).fill(0.1);
    expect(psnr(a, b)).toBeCloseTo(20, 5);
    expect(psnr(a.map((v) => v * 255), b.map((v) => v * 255), { dataRange: 255 })).toBeCloseTo(20, 4);
    expect(psnr(b, b)).toBe(Infinity);
  });

  it('with a mask averages the squared error over the masked pixels only', () => {
    const a = new Float32Array(2 * 3), b = Float32Array.from([0.1, 0.1, 0.1, 0.9, 0.9, 0.9]);
    expect(psnr(a, b, { mask: [1, 0] })).toBeCloseTo(20, 5);
    expect(psnr(a, b, { mask: [0.5, 0.5] })).toBeCloseTo(10 * Math.log10(1 / ((0.01 + 0.81) / 2)), 6);
    expect(() => psnr(a, b, { mask: [0, 0] })).toThrow(/psnr: options.mask must be a mask with at least one non-zero weight/);
    expect(() => psnr(a, b.subarray(0, 3))).toThrow(/psnr: b must be an image array of a's length 6, got 'length 3'/);
    expect(() => psnr(a, Float32Array.from([0, 0, NaN, 0, 0, 0]))).toThrow(/psnr: b must be finite values, got 'NaN at element 2'/);
  });
});

describe('ssim', () => {
  it('is 1 for identical images and lower for noisier copies', () => {
    const a = noiseImage(16 * 12 * 3, 1);
    expect(ssim(a, a, { width: 16, height: 12 })).toBeCloseTo(1, 12);
    const b = a.map((v, i) => v + 0.05 * (noiseImage(1, i)[0] - 0.5));
    const c = a.map((v, i) => v + 0.3 * (noiseImage(1, i)[0] - 0.5));
    const sb = ssim(a, b, { width: 16, height: 12 }), sc = ssim(a, c, { width: 16, height: 12 });
    expect(sb).toBeLessThan(1);
    expect(sc).toBeLessThan(sb);
  });

  it('matches the closed form on a 1x1 image (zero padding: only the window centre w0 = g5² sees the pixel)', () => {
    const g = gaussianWindow(11, 1.5);
    const w0 = g[5] * g[5];
    const x = 0.8, y = 0.3, C1 = 1e-4, C2 = 9e-4;
    const cov = w0 * (1 - w0);
    const want = ((2 * w0 * w0 * x * y + C1) * (2 * cov * x * y + C2)) / ((w0 * w0 * (x * x + y * y) + C1) * (cov * (x * x + y * y) + C2));
    expect(ssim([x], [y], { width: 1, height: 1, channels: 1 })).toBeCloseTo(want, 12);
  });

  it('agrees with @headsplat/nn\'s tensor SSIM (the 3DGS training loss) on a random image', () => {
    const W = 20, H = 17;
    const a = noiseImage(W * H * 3, 2), b = noiseImage(W * H * 3, 3).map((v, i) => 0.7 * a[i] + 0.3 * v);
    const chw = (x: Float32Array) => tensor(Float32Array.from({ length: x.length }, (_, i) => x[(i % (W * H)) * 3 + Math.floor(i / (W * H))]), { shape: [1, 3, H, W] });
    const ref = ssimTensor(chw(a), chw(b)).dataSync()[0];
    expect(ssim(a, b, { width: W, height: H })).toBeCloseTo(ref, 5);
  });

  it('names bad arguments', () => {
    expect(() => ssim([0, 0, 0], [0, 0, 0], { width: 2, height: 1 })).toThrow(/ssim: a must be width \* height \* channels = 2 \* 1 \* 3 = 6 values, got 'length 3'/);
    expect(() => ssim([0], [0], { width: 1, height: 1, channels: 1, windowSize: 4 })).toThrow(/ssim: options.windowSize must be an odd positive integer, got 4/);
  });
});

describe('lpips', () => {
  it('says how to get weights when none are given', async () => {
    const a = new Float32Array(8 * 8 * 3);
    await expect(lpips(a, a, { width: 8, height: 8 })).rejects.toThrow(/lpips: options.weights must be a safetensors file .* got neither\. headsplat ships no weights; make the file with: import lpips/);
    await expect(lpips(a, a, { width: 8, height: 8, weights: '/no/such/lpips.safetensors' })).rejects.toThrow(/loadLpips: cannot read LPIPS weights '\/no\/such\/lpips.safetensors'/);
  });

  it('is 0 for identical images and positive for different ones (a given network)', async () => {
    const model = new LPIPS({ net: 'alex', seed: 0 });
    const W = 64, H = 64;
    const a = noiseImage(W * H * 3, 5), b = noiseImage(W * H * 3, 6);
    expect(await lpips(a, a, { width: W, height: H, model })).toBe(0);
    expect(await lpips(a, b, { width: W, height: H, model })).toBeGreaterThan(1e-4);
  });
});
