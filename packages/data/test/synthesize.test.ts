import { flameForwardCpu } from '@headsplat/flame';
import { describe, expect, it } from 'vitest';
import { synthesizeCaptures, type SyntheticCaptureSet } from '../src/index.js';
import { maxAbsDiff, project } from './helpers.js';

const tiny = { identities: 3, expressions: 3, views: 3, size: 48 } as const;

describe('synthesizeCaptures (CPU reference)', () => {
  let set: SyntheticCaptureSet;
  it('synthesises HeadGAP\'s tiny CI set (4 identities x 6 expressions x 4 views at 64x64)', async () => {
    const t0 = performance.now();
    set = await synthesizeCaptures({ identities: 4, expressions: 6, views: 4, size: 64, seed: 3 });
    console.log(`[data] 96 frames of 64x64 in ${((performance.now() - t0) / 1000).toFixed(2)} s (CPU)`);
    expect(set.frames).toHaveLength(96);
    expect(set.subjects.map((s) => s.name)).toEqual(['id000', 'id001', 'id002', 'id003']);
    // Default held out: identity 3, expression 5, camera 1; every frame in exactly one split.
    const counts = Object.fromEntries(Object.entries(set.splits).map(([k, v]) => [k, v.length]));
    expect(counts).toEqual({ train: 45, heldOutView: 15, heldOutExpression: 12, heldOutIdentity: 24 });
    const all = Object.values(set.splits).flat().sort((a, b) => a - b);
    expect(all).toEqual(set.frames.map((_, i) => i));
    for (const i of set.splits.heldOutIdentity) expect(set.frames[i].subject).toBe(3);
    for (const i of set.splits.heldOutExpression) expect([set.frames[i].subject !== 3, set.frames[i].expressionIndex]).toEqual([true, 5]);
    for (const i of set.splits.heldOutView) expect(set.frames[i].cameraIndex).toBe(1);
  });

  it('renders heads: a plausible, centred foreground, background elsewhere, and the same background colour', async () => {
    for (const i of [0, 13, 50, 95]) {
      const f = set.frames[i];
      const [rgb, mask] = [await f.rgb(), await f.mask()];
      let fg = 0, cx = 0, cy = 0;
      for (let p = 0; p < 64 * 64; p++) {
        fg += mask[p];
        cx += mask[p] * ((p % 64) + 0.5);
        cy += mask[p] * (Math.floor(p / 64) + 0.5);
        if (mask[p] === 0) expect([rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]]).toEqual([1, 1, 1]);
      }
      expect(fg / 4096).toBeGreaterThan(0.2);
      expect(fg / 4096).toBeLessThan(0.75);
      expect(Math.abs(cx / fg - 32)).toBeLessThan(8);
      expect(Math.abs(cy / fg - 32)).toBeLessThan(12);
      // Foreground is not white: skin or hair.
      let mean = 0;
      for (let p = 0; p < 4096; p++) if (mask[p] === 1) mean += (rgb[p * 3] + rgb[p * 3 + 1] + rgb[p * 3 + 2]) / 3;
      expect(mean / fg).toBeLessThan(0.85);
    }
  });

  it('frames the whole head in every dome camera (all head vertices above the chin project inside the image)', () => {
    const m = set.model;
    for (const f of set.frames.filter((_, i) => i % 7 === 0)) {
      const v = flameForwardCpu(m, f.flame).vertices;
      for (let i = 0; i < m.numVertices; i++) {
        if (v[i * 3 + 1] < -0.07) continue;
        const [u, w, z] = project(f.camera, v.subarray(i * 3, i * 3 + 3));
        expect(z).toBeGreaterThan(0.1);
        expect(u).toBeGreaterThan(0);
        expect(u).toBeLessThan(64);
        expect(w).toBeGreaterThan(0);
        expect(w).toBeLessThan(64);
      }
    }
  });

  it('opens the mouth on the jaw-open expression: the mouth region changes, the forehead does not', async () => {
    const m = set.model;
    const neutral = set.frames.find((f) => f.subject === 0 && f.expressionIndex === 0 && f.cameraIndex === 0)!;
    const open = set.frames.find((f) => f.subject === 0 && f.expressionIndex === 1 && f.cameraIndex === 0)!;
    const lm = flameForwardCpu(m, neutral.flame).landmarks;
    const lipMid = [0, 1, 2].map((k) => (lm[62 * 3 + k] + lm[66 * 3 + k]) / 2); // inner lip centre (iBUG 62 / 66)
    const brow = [0, 1, 2].map((k) => lm[27 * 3 + k]); // nose bridge top
    const [mu, mv] = project(neutral.camera, lipMid);
    const [bu, bv] = project(neutral.camera, brow);
    const [a, b] = [await neutral.rgb(), await open.rgb()];
    const diffAround = (u: number, v: number) => {
      let d = 0;
      for (let y = Math.floor(v) - 2; y <= Math.floor(v) + 2; y++) for (let x = Math.floor(u) - 2; x <= Math.floor(u) + 2; x++) for (let k = 0; k < 3; k++) d += Math.abs(a[(y * 64 + x) * 3 + k] - b[(y * 64 + x) * 3 + k]);
      return d / 75;
    };
    expect(diffAround(mu, mv)).toBeGreaterThan(0.05);
    expect(diffAround(bu, bv - 4)).toBeLessThan(0.02);
  });

  it('gives identities different shapes and skin, and is deterministic per seed', async () => {
    const a = await synthesizeCaptures({ ...tiny, seed: 1, model: set.model });
    const b = await synthesizeCaptures({ ...tiny, seed: 1, model: set.model });
    const c = await synthesizeCaptures({ ...tiny, seed: 2, model: set.model });
    expect(maxAbsDiff(await a.frames[4].rgb(), await b.frames[4].rgb())).toBe(0);
    expect(maxAbsDiff(a.subjects[1].shape, b.subjects[1].shape)).toBe(0);
    expect(maxAbsDiff(await a.frames[4].rgb(), await c.frames[4].rgb())).toBeGreaterThan(0.1);
    expect(maxAbsDiff(a.subjects[0].shape, a.subjects[1].shape)).toBeGreaterThan(0.5);
    expect(maxAbsDiff(a.albedo[0].data, a.albedo[1].data)).toBeGreaterThan(0.05);
  });

  it('builds monocular (one fixed camera, moving head) and wild (varied focal and light) sets', async () => {
    const mono = await synthesizeCaptures({ ...tiny, rig: 'monocular', model: set.model });
    expect(new Set(mono.frames.map((f) => f.cameraIndex))).toEqual(new Set([0]));
    expect(mono.frames.map((f) => f.timestep)).toEqual(mono.frames.map((f) => (f.expressionIndex! * 3 + f.viewIndex!)));
    expect(new Set(mono.frames.map((f) => Array.from(f.camera.viewMatrix).join())).size).toBe(1);
    expect(new Set(mono.frames.map((f) => Array.from(f.flame.rotation!).join())).size).toBe(3);
    const wild = await synthesizeCaptures({ ...tiny, rig: 'wild', model: set.model });
    expect(new Set(wild.frames.map((f) => f.camera.fx)).size).toBe(wild.frames.length);
    expect(new Set(wild.frames.map((f) => f.light!.ambient)).size).toBe(wild.frames.length);
    for (const f of [...mono.frames, ...wild.frames]) {
      const m = await f.mask();
      const fg = m.reduce((s, x) => s + x, 0) / m.length;
      expect(fg).toBeGreaterThan(0.08);
      expect(fg).toBeLessThan(0.8);
    }
  });

  it('uses the configured background and rejects bad options naming them', async () => {
    const g = await synthesizeCaptures({ identities: 1, expressions: 1, views: 1, size: 16, background: [0.5, 0.25, 0], model: set.model });
    const rgb = await g.frames[0].rgb();
    expect([rgb[0], rgb[1], rgb[2]]).toEqual([0.5, 0.25, 0]);
    await expect(synthesizeCaptures({ rig: 'orbit' as 'dome' })).rejects.toThrow(/synthesizeCaptures: options.rig must be one of 'dome', 'monocular', 'wild', got 'orbit'/);
    await expect(synthesizeCaptures({ views: 2, heldOutViews: [2], model: set.model })).rejects.toThrow(/options.heldOutViews must be indices in \[0, 2\), got \[2\]/);
    await expect(synthesizeCaptures({ identities: 1, heldOutIdentities: [0], model: set.model })).rejects.toThrow(/leave no training frame/);
    await expect(synthesizeCaptures({ size: 4 })).rejects.toThrow(/options.size must be an integer in \[8, 8192\], got 4/);
  });
});
