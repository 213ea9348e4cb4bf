import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSyntheticFlame } from '@headsplat/flame';
import { describe, expect, it } from 'vitest';
import { arrayDataset, captureDataset, loadBatch, readTransformsDataset, synthesizeCaptures } from '../src/index.js';
import { runCli } from '../src/run-cli.js';

describe('Dataset', () => {
  it('indexes, shuffles deterministically per seed, and batches', () => {
    const ds = arrayDataset(Array.from({ length: 10 }, (_, i) => i));
    expect([ds.length, ds.get(3)]).toEqual([10, 3]);
    const s1 = [...ds.shuffle(7)], s2 = [...ds.shuffle(7)], s3 = [...ds.shuffle(8)];
    expect(s1).toEqual(s2);
    expect(s1).not.toEqual(s3);
    expect([...s1].sort((a, b) => a - b)).toEqual([...ds]);
    expect([...ds.batches(4)]).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect([...ds.batches(4, { dropLast: true })]).toHaveLength(2);
    const shuffled = [...ds.batches(5, { shuffle: true, seed: 7 })].flat();
    expect(shuffled).toEqual(s1);
    expect([...ds.subset([9, 0]).batches(1)]).toEqual([[9], [0]]);
    expect(() => ds.get(10)).toThrow(/Dataset.get: i must be an integer in \[0, 10\), got 10/);
    expect(() => [...ds.batches(0)]).toThrow(/Dataset.batches: size must be a positive integer, got 0/);
  });

  it('serves the frames of a split and stacks a batch of images', async () => {
    const set = await synthesizeCaptures({ identities: 2, expressions: 3, views: 3, size: 16, model: createSyntheticFlame() });
    const train = captureDataset(set, 'train');
    expect(train.length).toBe(set.splits.train.length);
    for (const f of train) expect(f.subject).toBe(0);
    expect(captureDataset(set, ['train', 'heldOutView']).length).toBe(set.splits.train.length + set.splits.heldOutView.length);
    const [batch] = train.batches(3);
    const b = await loadBatch(batch);
    expect([b.rgb.length, b.mask.length, b.width]).toEqual([3 * 16 * 16 * 3, 3 * 16 * 16, 16]);
    expect(Array.from(b.rgb.subarray(768, 1536))).toEqual(Array.from(await batch[1].rgb()));
  });
});

describe('headsplat-data CLI', () => {
  it('writes a transforms.json set that reads back, with progress lines', async () => {
    const out = mkdtempSync(join(tmpdir(), 'headsplat-cli-'));
    const logs: string[] = [], progress: string[] = [];
    await runCli(['synth', '--out', out, '--identities', '2', '--expressions', '2', '--views', '2', '--size', '16', '--rig', 'wild', '--seed', '3'], {
      log: (l) => logs.push(l), progress: (p) => progress.push(p),
    });
    expect(progress).toHaveLength(8);
    expect(progress[7]).toMatch(/^\[#{30}\] 8\/8 frames/);
    expect(logs[0]).toMatch(/2 identities, 2 expressions, 8 frames of 16x16 \(wild rig, CPU\)/);
    const set = await readTransformsDataset(out);
    expect(set.frames).toHaveLength(8);
    expect(set.meta).toMatchObject({ rig: 'wild', seed: 3, identities: 2 });
    const same = await synthesizeCaptures({ identities: 2, expressions: 2, views: 2, size: 16, rig: 'wild', seed: 3 });
    const [a, b] = [await set.frames[5].rgb(), await same.frames[5].rgb()];
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    expect(m).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
  });

  it('runs through the bin launcher and names bad flags', () => {
    const bin = join(import.meta.dirname, '..', 'bin', 'headsplat-data.mjs');
    const run = (args: string[]) => execFileSync(process.execPath, [bin, ...args], { stdio: 'pipe', encoding: 'utf8' });
    const out = mkdtempSync(join(tmpdir(), 'headsplat-cli-bin-'));
    expect(run(['synth', '--out', out, '--identities', '1', '--expressions', '1', '--views', '1', '--size', '8'])).toMatch(/wrote .*transforms\.json/);
    expect(() => run(['synth', '--out', out, '--rig', 'orbit'])).toThrow(/--rig must be one of dome, monocular, wild, got 'orbit'/);
    expect(() => run(['synth', '--size', '3', '--out', out])).toThrow(/--size must be an integer in \[8, 8192\], got '3'/);
    expect(() => run(['render'])).toThrow(/the command must be 'synth', got 'render'/);
  });
});
