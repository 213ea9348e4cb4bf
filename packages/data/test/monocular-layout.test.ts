import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '@headsplat/core';
import { createSyntheticFlame } from '@headsplat/flame';
import { describe, expect, it } from 'vitest';
import { readMonocularDataset, synthesizeCaptures, writeMonocularDataset } from '../src/index.js';
import { fullParams, maxAbsDiff, project } from './helpers.js';

const model = createSyntheticFlame();

describe('IMavatar / PointAvatar monocular layout', () => {
  it('reads back a monocular set: FLAME parameters, cameras, splits and images', async () => {
    const set = await synthesizeCaptures({ identities: 1, expressions: 3, views: 3, size: 24, rig: 'monocular', model, seed: 9 });
    const dir = mkdtempSync(join(tmpdir(), 'headsplat-mono-'));
    await writeMonocularDataset(set, dir);
    const doc = JSON.parse(readFileSync(join(dir, 'flame_params.json'), 'utf8'));
    expect(doc.frames[0].file_path).toBe('./image/1');
    expect(doc.frames[0].world_mat).toHaveLength(3);
    expect(doc.frames[0].pose).toHaveLength(15);
    expect(doc.intrinsics[2]).toBe(0.5); // cx / W
    const back = await readMonocularDataset(dir);
    expect(back.frames).toHaveLength(9);
    expect(back.splits).toEqual(set.splits);
    expect(maxAbsDiff(back.subjects[0].shape, set.subjects[0].shape)).toBe(0);
    for (let i = 0; i < 9; i++) {
      const [a, b] = [set.frames[i], back.frames[i]];
      expect([b.timestep, b.cameraIndex, b.expressionIndex, b.viewIndex]).toEqual([a.timestep, a.cameraIndex, a.expressionIndex, a.viewIndex]);
      expect(fullParams(b.flame, 10, 20)).toEqual(fullParams(a.flame, 10, 20));
      expect(maxAbsDiff(a.camera.viewMatrix, b.camera.viewMatrix)).toBeLessThan(1e-6);
      expect([b.camera.fx, b.camera.fy, b.camera.cx, b.camera.cy]).toEqual([a.camera.fx, a.camera.fy, a.camera.cx, a.camera.cy]);
      expect(maxAbsDiff(await a.rgb(), await b.rgb())).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
      expect(maxAbsDiff(await a.mask(), await b.mask())).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
    }
  });

  it('reads world_mat with OpenGL camera axes: a camera at +z sees the origin in the middle and +y up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headsplat-mono-gl-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'image'));
    writeFileSync(join(dir, 'image', '1.png'), encodePng({ width: 8, height: 8, channels: 3, data: new Uint8Array(192) }));
    // OpenGL world-to-camera of a camera at (0, 0, 2) looking down -z: identity rotation, t = (0, 0, -2).
    const frames = [{ file_path: './image/1', world_mat: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, -2]], expression: [0, 0], pose: new Array(15).fill(0) }];
    writeFileSync(join(dir, 'flame_params.json'), JSON.stringify({ frames, shape_params: [0.5], intrinsics: [1, 1, 0.5, 0.5] }));
    const s = await readMonocularDataset(dir);
    const cam = s.frames[0].camera;
    expect([cam.fx, cam.fy, cam.cx, cam.cy, cam.width]).toEqual([8, 8, 4, 4, 8]);
    expect(project(cam, [0, 0, 0])).toEqual([4, 4, 2]);
    expect(project(cam, [0, 0.5, 0])[1]).toBeCloseTo(2, 10);
    expect(project(cam, [0.5, 0, 0])[0]).toBeCloseTo(6, 10);
    await expect(s.frames[0].mask()).rejects.toThrow(/readMonocularDataset: frames\[0\] has no mask: '.*mask[\\/]1\.png' is missing/);
  });

  it('refuses what the layout cannot hold, and bad files, with clear errors', async () => {
    const set = await synthesizeCaptures({ identities: 1, expressions: 1, views: 2, size: 16, rig: 'wild', model });
    await expect(writeMonocularDataset(set, mkdtempSync(join(tmpdir(), 'headsplat-mono-bad-')))).rejects.toThrow(/writeMonocularDataset: set.frames\[1\]\.camera must be the intrinsics of the first frame/);
    const dir = mkdtempSync(join(tmpdir(), 'headsplat-mono-bad2-'));
    const frames = [{ file_path: './image/1', world_mat: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, -2]], expression: [0], pose: new Array(15).fill(0) }];
    writeFileSync(join(dir, 'flame_params.json'), JSON.stringify({ frames, shape_params: [], intrinsics: [1, 1, 0.5, 0.5] }));
    await expect(readMonocularDataset(dir, { width: 8, height: 8 })).rejects.toThrow(/frames\[0\]\.file_path must name an existing image, got '.\/image\/1'/);
    frames[0].world_mat = [[1, 0.5, 0, 0], [0, 1, 0, 0], [0, 0, 1, -2]];
    writeFileSync(join(dir, 'flame_params.json'), JSON.stringify({ frames, shape_params: [], intrinsics: [1, 1, 0.5, 0.5] }));
    await expect(readMonocularDataset(dir, { width: 8, height: 8 })).rejects.toThrow(/frames\[0\]\.world_mat must be rigid/);
  });
});
