import { gradcheck, liveTensors, tensor, tidy, randn, abs, sub, type Tensor } from '@headsplat/core';
import { sampleUvTexels } from '@headsplat/flame';
import { LPIPS } from '@headsplat/nn';
import { describe, expect, it } from 'vitest';
import {
  HeadGapModel, type HeadGapRender, buildPointCloud, frameGeometry, headgapLoss, matrixToQuaternion, orbitCamera, resolveConfig,
} from '../src/index.js';
import { frontCamera, testFlame } from './helpers.js';

const small = { uvResolution: 24, identities: 3, hidden: [16], c1: 8, c2: 8, latentChannels: 4, refinerChannels: 4 };

describe('point cloud', () => {
  it('places one Gaussian per covered UV texel, sorted by part, with the mouth part present', () => {
    const flame = testFlame();
    const cloud = buildPointCloud(flame, { uvResolution: 24, arapNeighbours: 4 });
    expect(cloud.count).toBe(sampleUvTexels(flame.uv!.uvs, flame.uv!.faceUvs, 24, 24).faceIndex.length);
    for (let i = 1; i < cloud.count; i++) expect(cloud.part[i]).toBeGreaterThanOrEqual(cloud.part[i - 1]);
    expect(cloud.partOffsets[cloud.partOffsets.length - 1]).toBe(cloud.count);
    expect(cloud.partNames[cloud.mouthPart]).toBe('mouth');
    expect(cloud.partOffsets[cloud.mouthPart + 1] - cloud.partOffsets[cloud.mouthPart]).toBeGreaterThan(0);
    for (let i = 0; i < cloud.count; i++) for (let k = 0; k < 4; k++) expect(cloud.neighbours[i * 4 + k]).not.toBe(i);
    expect(Math.min(...cloud.baseScale)).toBeGreaterThan(0);
  });

  it('rejects a FLAME model without a UV layout, naming the field', () => {
    const { uv: _uv, ...noUv } = testFlame();
    expect(() => buildPointCloud(noUv, { uvResolution: 24, arapNeighbours: 4 })).toThrow(/model\.uv must hold a UV layout/);
  });
});

describe('config', () => {
  it('names the bad field and the expected value', () => {
    expect(() => resolveConfig({ c1: 0 })).toThrow(/HeadGapConfig: c1 must be an integer >= 1, got 0/);
    expect(() => resolveConfig({ loss: { arap: -1 } })).toThrow(/loss\.arap must be a number >= 0, got -1/);
    expect(() => resolveConfig({ background: [2, 0, 0] })).toThrow(/background must be 3 numbers in \[0, 1\]/);
  });
});

describe('geometry helpers', () => {
  it('converts rotation matrices to unit quaternions that rebuild them', () => {
    const c = Math.cos(0.7), s = Math.sin(0.7);
    for (const m of [[c, -s, 0, s, c, 0, 0, 0, 1], [1, 0, 0, 0, -1, 0, 0, 0, -1], [-1, 0, 0, 0, 1, 0, 0, 0, -1], [-1, 0, 0, 0, -1, 0, 0, 0, 1]]) {
      const [w, x, y, z] = matrixToQuaternion(m);
      const r = [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y), 2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x), 2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)];
      r.forEach((v, i) => expect(v).toBeCloseTo(m[i], 6));
    }
  });

  it('orbits a camera around a centre: yaw 0 is the same camera and the centre keeps its depth', () => {
    const cam = frontCamera();
    const center = [0.01, 0.03, -0.02];
    expect(Array.from(orbitCamera(cam, center, 0).viewMatrix)).toEqual(Array.from(cam.viewMatrix).map((v) => expect.closeTo(v, 6)));
    const turned = orbitCamera(cam, center, 0.8, 0.2);
    const depth = (M: ArrayLike<number>) => M[2] * center[0] + M[6] * center[1] + M[10] * center[2] + M[14];
    expect(depth(turned.viewMatrix)).toBeCloseTo(depth(cam.viewMatrix), 5);
    expect(turned.viewMatrix[0]).toBeCloseTo(Math.cos(0.8), 5);
  });
});

describe('headgapLoss', () => {
  it('passes a float64 gradcheck in the images, alpha, offsets and log-scales (every term on)', () => {
    const o = { dtype: 'float64' as const };
    const img = randn([1, 3, 8, 8], { seed: 5, ...o }).sigmoid().detach().requiresGrad_();
    const raw = randn([1, 3, 8, 8], { seed: 6, ...o }).sigmoid().detach().requiresGrad_();
    const alpha = randn([1, 1, 8, 8], { seed: 7, ...o }).sigmoid().detach().requiresGrad_();
    const offsets = randn([5, 3], { seed: 8, ...o }).requiresGrad_();
    const logScales = randn([5, 3], { seed: 9, ...o }).requiresGrad_();
    const rgb = randn([1, 3, 8, 8], { seed: 10, ...o }).sigmoid().detach();
    const mask = tensor(Array.from({ length: 64 }, (_, i) => (i % 8 > 2 ? 1 : 0)), { shape: [1, 1, 8, 8], ...o });
    const mouth = tensor(Array.from({ length: 64 }, (_, i) => (i > 40 ? 1 : 0)), { shape: [1, 1, 8, 8], ...o });
    const nb = tensor([1, 2, 0, 2, 3, 4, 4, 0, 1, 3], { shape: [10], dtype: 'int32' });
    const w = resolveConfig().loss;
    const fn = (i: Tensor, r: Tensor, a: Tensor, off: Tensor, ls: Tensor) => {
      const render = { image: i, raw: r, alpha: a, gaussians: { offsets: off, logScales: ls } } as unknown as HeadGapRender;
      return headgapLoss(render, { rgb, mask, mouth, mouthPixels: 23 }, w, nb, 2).total;
    };
    expect(gradcheck(fn, [img, raw, alpha, offsets, logScales])).toBe(true);
  });

  it('adds loss.lpips x LPIPS(refined, target) only when a perceptual network is given', async () => {
    const image = randn([1, 3, 32, 32], { seed: 11 }).sigmoid().detach().requiresGrad_();
    const rgb = randn([1, 3, 32, 32], { seed: 12 }).sigmoid().detach();
    const render = { image, raw: rgb, alpha: tensor(new Float32Array(1024), { shape: [1, 1, 32, 32] }), gaussians: { offsets: tensor(new Float32Array(6), { shape: [2, 3] }), logScales: tensor(new Float32Array(6), { shape: [2, 3] }) } } as unknown as HeadGapRender;
    const targets = { rgb, mask: tensor(new Float32Array(1024), { shape: [1, 1, 32, 32] }) };
    const w = resolveConfig({ loss: { arap: 0, lpips: 0.5 } }).loss;
    const net = new LPIPS({ net: 'alex', seed: 0 }); // random weights stand in for a converted file
    const nb = tensor([0, 1], { shape: [2], dtype: 'int32' });
    const without = await headgapLoss(render, targets, w, nb, 1).total.item();
    const withNet = headgapLoss(render, targets, w, nb, 1, net).total;
    const d = await net.forward(image, rgb, { normalize: true }).item();
    expect(d).toBeGreaterThan(0);
    expect(await withNet.item()).toBeCloseTo(without + 0.5 * d, 5);
    withNet.backward();
    const gWith = image.grad!.dataSync().slice();
    image.grad = null;
    headgapLoss(render, targets, w, nb, 1).total.backward();
    const gWithout = image.grad!.dataSync();
    let diff = 0;
    for (let i = 0; i < gWith.length; i++) diff = Math.max(diff, Math.abs(gWith[i] - gWithout[i]));
    expect(diff).toBeGreaterThan(1e-6); // the perceptual term reaches the refined image
  });
});

describe('HeadGapModel', () => {
  const flame = testFlame();
  const cam = frontCamera(32);
  const model = new HeadGapModel(flame, small);
  const geom = frameGeometry(flame, model.cloud, { jawPose: [0.2, 0, 0], expression: [0.5] }, cam, { dynamicScale: model.config.dynamicScale });

  it('starts with Gaussians on the surface, in their triangle frames, at the base scale', () => {
    const g = model.gaussians(geom, model.identityCode(0));
    const N = model.cloud.count;
    expect(g.means.shape).toEqual([N, 3]);
    expect(g.quats.shape).toEqual([N, 4]);
    expect(g.colors.shape).toEqual([N, 3]);
    expect(g.latent!.shape).toEqual([N, 4]);
    expect(Array.from(g.means.dataSync())).toEqual(Array.from(geom.surface.dataSync()));
    expect(Array.from(g.scales.dataSync())).toEqual(Array.from(geom.sigma.dataSync()).flatMap((s) => [s, s, s]));
    const q = g.quats.dataSync();
    for (let i = 0; i < N; i++) expect(Math.hypot(q[i * 4], q[i * 4 + 1], q[i * 4 + 2], q[i * 4 + 3])).toBeCloseTo(1, 5);
    expect(g.opacities.dataSync()[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 5);
    // e is non-zero where the jaw and the expression move the surface, zero on no point's neutral.
    const e = geom.dynamic.dataSync();
    expect(Math.max(...e.map(Math.abs))).toBeGreaterThan(0.05);
  });

  it('mixes codes part-wise: one-hot logits select a codebook row, uniform ones its mean', () => {
    const P = model.partCount;
    const oneHot = tensor(Array.from({ length: P * 3 }, (_, i) => (i % 3 === 1 ? 50 : -50)), { shape: [P, 3] });
    const diff = tidy(() => abs(sub(model.mixCode(oneHot), model.identityCode(1))).max().dataSync()[0]);
    expect(diff).toBeLessThan(1e-6);
    const cb = model.codebook.dataSync();
    const mixed = model.mixCode(tensor(new Float32Array(P * 3), { shape: [P, 3] })).dataSync();
    const c2 = model.config.c2;
    for (let p = 0; p < P; p++) expect(mixed[p * c2]).toBeCloseTo((cb[p * c2] + cb[(P + p) * c2] + cb[(2 * P + p) * c2]) / 3, 5);
    expect(() => model.mixCode(tensor([1, 2], { shape: [1, 2] }))).toThrow(/mixCode: logits must have shape \[\d+, 3\], got \[1, 2\]/);
  });

  it('renders a refined image and sends gradients to f, the used code row, every visible part MLP and the refiner', () => {
    model.zeroGrad();
    const target = { rgb: tensor(new Float32Array(3 * 32 * 32).fill(0.3), { shape: [1, 3, 32, 32] }), mask: tensor(new Float32Array(32 * 32).fill(1), { shape: [1, 1, 32, 32] }) };
    tidy(() => {
      const r = model.render(geom, model.identityCode(2), cam);
      expect(r.image.shape).toEqual([1, 3, 32, 32]);
      expect(r.alpha.shape).toEqual([1, 1, 32, 32]);
      // The head covers the middle of the frame, not the corner.
      const a = r.alpha.dataSync();
      expect(a[16 * 32 + 16]).toBeGreaterThan(0.9);
      expect(a[0]).toBeLessThan(0.05);
      headgapLoss(r, target, model.config.loss, model.neighbours, model.cloud.neighbourCount).total.backward();
    });
    const norm = (t: { grad: { dataSync(): ArrayLike<number> } | null }) => Array.from(t.grad!.dataSync()).reduce((s, v) => s + Math.abs(v), 0);
    expect(norm(model.features)).toBeGreaterThan(0);
    const cg = model.codebook.grad!.dataSync();
    const rowSize = model.partCount * model.config.c2;
    const rowNorm = (r: number) => Array.from(cg.slice(r * rowSize, (r + 1) * rowSize)).reduce((s, v) => s + Math.abs(v), 0);
    expect(rowNorm(2)).toBeGreaterThan(0);
    expect(rowNorm(0)).toBe(0);
    const face = model.cloud.partNames.indexOf('face');
    for (const p of model.m2.at(face).parameters()) expect(norm(p)).toBeGreaterThan(0);
    // M1's last layer starts at zero (no offset, base scale): it gets the gradient first.
    const m1 = model.m1.at(face);
    for (const p of m1.layers.at(m1.layers.length - 1).parameters()) expect(norm(p)).toBeGreaterThan(0);
    // The refiner's last conv starts at zero but gets a gradient at once.
    expect(norm(model.refiner.outc.weight)).toBeGreaterThan(0);
    model.zeroGrad();
  });

  it('keeps the live tensor count flat across training steps', () => {
    const target = { rgb: tensor(new Float32Array(3 * 32 * 32).fill(0.3), { shape: [1, 3, 32, 32] }), mask: tensor(new Float32Array(32 * 32).fill(1), { shape: [1, 1, 32, 32] }) };
    const step = () => tidy(() => headgapLoss(model.render(geom, model.identityCode(0), cam), target, model.config.loss, model.neighbours, model.cloud.neighbourCount).total.backward());
    step();
    model.zeroGrad();
    const before = liveTensors();
    step();
    model.zeroGrad();
    expect(liveTensors()).toBe(before);
  });
});
