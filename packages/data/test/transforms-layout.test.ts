import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '@headsplat/core';
import { createSyntheticFlame } from '@headsplat/flame';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cameraCenter, lookAtViewMatrix, nerfTransformToViewMatrix, readTransformsDataset, synthesizeCaptures, viewMatrixToNerfTransform, writeTransformsDataset,
  type CaptureSet, type SyntheticCaptureSet,
} from '../src/index.js';
import { fullParams, maxAbsDiff, project } from './helpers.js';

const model = createSyntheticFlame();

async function expectSameSet(a: CaptureSet, b: CaptureSet): Promise<void> {
  expect(b.frames).toHaveLength(a.frames.length);
  expect(b.splits).toEqual(a.splits);
  expect(b.subjects.map((s) => s.name)).toEqual(a.subjects.map((s) => s.name));
  for (let k = 0; k < a.subjects.length; k++) expect(maxAbsDiff(a.subjects[k].shape, b.subjects[k].shape)).toBe(0);
  for (let i = 0; i < a.frames.length; i++) {
    const [fa, fb] = [a.frames[i], b.frames[i]];
    expect([fb.subject, fb.cameraIndex, fb.timestep, fb.width, fb.height, fb.expressionIndex, fb.viewIndex]).toEqual([fa.subject, fa.cameraIndex, fa.timestep, fa.width, fa.height, fa.expressionIndex, fa.viewIndex]);
    expect([fb.camera.fx, fb.camera.fy, fb.camera.cx, fb.camera.cy, fb.camera.width, fb.camera.height]).toEqual([fa.camera.fx, fa.camera.fy, fa.camera.cx, fa.camera.cy, fa.camera.width, fa.camera.height]);
    expect(maxAbsDiff(fa.camera.viewMatrix, fb.camera.viewMatrix)).toBeLessThan(1e-6);
    expect(fullParams(fb.flame, 10, 20)).toEqual(fullParams(fa.flame, 10, 20));
    // PNG stores 8 bits: within half a step.
    expect(maxAbsDiff(await fa.rgb(), await fb.rgb())).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
    expect(maxAbsDiff(await fa.mask(), await fb.mask())).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
  }
}

describe('NeRF camera convention', () => {
  it('maps a NeRF camera on +z looking down -z to an OpenCV view: +x right, +y up in the image', () => {
    // c2w (OpenGL axes): identity rotation, at (0, 0, 2).
    const view = nerfTransformToViewMatrix([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 0, 0, 0, 1]);
    const cam = { viewMatrix: view, fx: 100, fy: 100, cx: 50, cy: 50, width: 100, height: 100 };
    expect(project(cam, [0, 0, 0])).toEqual([50, 50, 2]);
    const [u] = project(cam, [0.1, 0, 0]);
    const [, v] = project(cam, [0, 0.1, 0]);
    expect(u).toBeCloseTo(55, 10); // world +x -> image right
    expect(v).toBeCloseTo(45, 10); // world +y (up) -> image up (smaller v)
    expect(Array.from(viewMatrixToNerfTransform(view))).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 0, 0, 0, 1]);
  });
});

describe('lookAtViewMatrix', () => {
  it('puts the target on the optical axis at its distance, world up on image up, and round-trips through NeRF', () => {
    const eye = [0.3, 0.2, 0.9], target = [0.01, -0.02, 0.03];
    const view = lookAtViewMatrix(eye, target);
    const cam = { viewMatrix: view, fx: 50, fy: 50, cx: 32, cy: 32, width: 64, height: 64 };
    const [u, v, z] = project(cam, target);
    expect([u, v]).toEqual([expect.closeTo(32, 4), expect.closeTo(32, 4)]);
    expect(z).toBeCloseTo(Math.hypot(0.29, 0.22, 0.87), 5);
    expect(project(cam, [target[0], target[1] + 0.05, target[2]])[1]).toBeLessThan(32);
    expect(cameraCenter(view).map((c, i) => c - eye[i]).every((d) => Math.abs(d) < 1e-6)).toBe(true);
    expect(maxAbsDiff(nerfTransformToViewMatrix(viewMatrixToNerfTransform(view)), view)).toBeLessThan(1e-7);
    expect(() => lookAtViewMatrix([0, 1, 0], [0, 0, 0])).toThrow(/lookAtViewMatrix: up must be a direction not parallel to the view direction/);
  });
});

describe('transforms.json layout', () => {
  let set: SyntheticCaptureSet;
  let dir: string;
  beforeAll(async () => {
    set = await synthesizeCaptures({ identities: 2, expressions: 3, views: 3, size: 32, model, seed: 4 });
    dir = mkdtempSync(join(tmpdir(), 'headsplat-transforms-'));
    await writeTransformsDataset(set, dir);
  });

  it('reads back what it wrote: frames, cameras, FLAME parameters, splits and images', async () => {
    const back = await readTransformsDataset(dir);
    await expectSameSet(set, back);
    const doc = JSON.parse(readFileSync(join(dir, 'transforms.json'), 'utf8'));
    expect(doc.frames[0].file_path).toBe('images/id000/00000_00.png');
    expect(doc.frames[0].flame_param_path).toBe('flame_param/id000/00000.npz');
    expect(doc.frames[0].camera_angle_x).toBeCloseTo(2 * Math.atan(16 / set.frames[0].camera.fx), 12);
  });

  it('round-trips wild and monocular sets (per-frame FLAME files when the views of a time step differ)', async () => {
    for (const rig of ['wild', 'monocular'] as const) {
      const s = await synthesizeCaptures({ identities: 1, expressions: 2, views: 2, size: 16, model, rig });
      const d = mkdtempSync(join(tmpdir(), `headsplat-${rig}-`));
      await writeTransformsDataset(s, d);
      await expectSameSet(s, await readTransformsDataset(d));
      const doc = JSON.parse(readFileSync(join(d, 'transforms.json'), 'utf8'));
      expect(doc.frames[1].flame_param_path).toBe(rig === 'wild' ? 'flame_param/id000/00000_01.npz' : 'flame_param/id000/00001.npz');
    }
  });

  it('reads a plain NeRF file: camera_angle_x only, extension-less paths, RGBA images with the alpha as the mask', async () => {
    const d = mkdtempSync(join(tmpdir(), 'headsplat-nerf-'));
    const rgba = new Uint8Array(4 * 4 * 4);
    for (let p = 0; p < 16; p++) rgba.set([255, 0, 0, p < 8 ? 255 : 0], p * 4);
    writeFileSync(join(d, 'r_0.png'), encodePng({ width: 4, height: 4, channels: 4, data: rgba }));
    const c2w = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]];
    writeFileSync(join(d, 'transforms.json'), JSON.stringify({ camera_angle_x: 2 * Math.atan(0.5), frames: [{ file_path: './r_0', transform_matrix: c2w }] }));
    const s = await readTransformsDataset(d, { background: [0, 0, 1] });
    const f = s.frames[0];
    expect([f.width, f.height, f.camera.fx, f.camera.fy, f.camera.cx, f.camera.cy]).toEqual([4, 4, 4, 4, 2, 2]);
    const rgb = await f.rgb(), mask = await f.mask();
    expect(Array.from(rgb.subarray(0, 3))).toEqual([1, 0, 0]);
    expect(Array.from(rgb.subarray(45, 48))).toEqual([0, 0, 1]); // transparent -> background
    expect(Array.from(mask)).toEqual(Array.from({ length: 16 }, (_, p) => (p < 8 ? 1 : 0)));
    expect(s.splits.train).toEqual([0]);
    expect(f.flame).toEqual({});
  });

  it('decodes images lazily: a file removed after reading fails on rgb(), naming the path', async () => {
    const d = mkdtempSync(join(tmpdir(), 'headsplat-lazy-'));
    const s = await synthesizeCaptures({ identities: 1, expressions: 1, views: 2, size: 16, model });
    await writeTransformsDataset(s, d);
    const back = await readTransformsDataset(d);
    rmSync(join(d, 'images/id000/00000_01.png'));
    await expect(back.frames[0].rgb()).resolves.toHaveLength(16 * 16 * 3);
    await expect(back.frames[1].rgb()).rejects.toThrow(/readTransformsDataset: frames\[1\] image '.*00000_01\.png' must be a readable file, got a missing file/);
  });

  it('rejects missing images, size mismatches and bad camera matrices with clear errors', async () => {
    const write = (frames: unknown[], extra: Record<string, unknown> = {}) => {
      const d = mkdtempSync(join(tmpdir(), 'headsplat-bad-'));
      writeFileSync(join(d, 'img.png'), encodePng({ width: 4, height: 4, channels: 3, data: new Uint8Array(48) }));
      writeFileSync(join(d, 'transforms.json'), JSON.stringify({ fl_x: 4, w: 4, h: 4, ...extra, frames }));
      return d;
    };
    const I = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 3], [0, 0, 0, 1]];
    await expect(readTransformsDataset(write([{ file_path: 'nope.png', transform_matrix: I }]))).rejects.toThrow(/frames\[0\]\.file_path must name an existing image, got 'nope.png'/);
    const wrongSize = await readTransformsDataset(write([{ file_path: 'img.png', transform_matrix: I, w: 8, h: 8 }]));
    await expect(wrongSize.frames[0].rgb()).rejects.toThrow(/image '.*img\.png' must be 8x8 \(the camera's w x h\), got 4x4/);
    const scaled = [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 3], [0, 0, 0, 1]];
    await expect(readTransformsDataset(write([{ file_path: 'img.png', transform_matrix: scaled }]))).rejects.toThrow(/frames\[0\]\.transform_matrix must be rigid .*det R = 2\.000000/);
    const nan = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, null], [0, 0, 0, 1]];
    await expect(readTransformsDataset(write([{ file_path: 'img.png', transform_matrix: nan }]))).rejects.toThrow(/frames\[0\]\.transform_matrix must be finite, got NaN at row 2, column 3/);
    const mirror = [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 3], [0, 0, 0, 1]];
    await expect(readTransformsDataset(write([{ file_path: 'img.png', transform_matrix: mirror }]))).rejects.toThrow(/must be rigid .*det R = -1\.000000/);
    const noMask = await readTransformsDataset(write([{ file_path: 'img.png', transform_matrix: I }]));
    await expect(noMask.frames[0].mask()).rejects.toThrow(/frames\[0\] has no mask: give fg_mask_path or an RGBA image/);
    await expect(readTransformsDataset(write([{ file_path: 'img.png', transform_matrix: I, split: 'val' }]))).rejects.toThrow(/frames\[0\]\.split must be one of train, heldOutView, heldOutExpression, heldOutIdentity, got 'val'/);
    await expect(readTransformsDataset(join(tmpdir(), 'headsplat-no-such-dir'))).rejects.toThrow(/the transforms file '.*transforms\.json' must be a readable file, got a missing file/);
  });
});
