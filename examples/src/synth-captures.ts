/**
 * Synthesises a small capture set with @headsplat/data and writes a contact sheet: one row per
 * identity, one block of columns per expression, one column per view inside a block.
 *   pnpm --filter @headsplat/examples synth [--out out/synth --identities 3 --expressions 5 --views 3
 *     --size 96 --rig dome|monocular|wild --seed 0 --webgpu --dataset]
 * With --dataset it also writes the set in the transforms.json layout under OUT/dataset.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '@headsplat/core';
import { RIG_NAMES, synthesizeCaptures, writeTransformsDataset, type RigName } from '@headsplat/data';
import { scriptArgs } from './argv.js';

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    out: { type: 'string', default: 'out/synth' },
    identities: { type: 'string', default: '3' },
    expressions: { type: 'string', default: '5' },
    views: { type: 'string', default: '3' },
    size: { type: 'string', default: '96' },
    rig: { type: 'string', default: 'dome' },
    seed: { type: 'string', default: '0' },
    webgpu: { type: 'boolean', default: false },
    dataset: { type: 'boolean', default: false },
  },
});
const int = (flag: 'identities' | 'expressions' | 'views' | 'size' | 'seed', lo: number, hi: number): number => {
  const v = values[flag]!;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < lo || n > hi) throw new Error(`--${flag} must be an integer in [${lo}, ${hi}], got '${v}'`);
  return n;
};
const K = int('identities', 1, 64), E = int('expressions', 1, 64), V = int('views', 1, 64), S = int('size', 8, 1024), seed = int('seed', -(2 ** 31), 2 ** 31 - 1);
if (!RIG_NAMES.includes(values.rig as RigName)) throw new Error(`--rig must be one of ${RIG_NAMES.join(', ')}, got '${values.rig}'`);

const handle = values.webgpu ? await (await import('@headsplat/gpu')).getSharedDevice() : null;
const t0 = performance.now();
const set = await synthesizeCaptures({
  identities: K, expressions: E, views: V, size: S, rig: values.rig as RigName, seed, device: handle?.device,
  onProgress: (d, n) => { if (d === n || d % Math.max(1, Math.floor(n / 10)) === 0) console.log(`rendered ${d}/${n} frames`); },
});
console.log(`synthesised ${set.frames.length} frames of ${S}x${S} in ${((performance.now() - t0) / 1000).toFixed(2)} s (${handle ? 'WebGPU' : 'CPU'}); splits: ${Object.entries(set.splits).map(([k, v]) => `${k} ${v.length}`).join(', ')}`);

// Contact sheet: GAP-pixel grey gutters between expression blocks and identity rows.
const GAP = 4;
const W = E * V * S + (E - 1) * GAP, H = K * S + (K - 1) * GAP;
const sheet = new Uint8Array(W * H * 3).fill(90);
for (const f of set.frames) {
  const x0 = f.expressionIndex! * (V * S + GAP) + f.viewIndex! * S, y0 = f.subject * (S + GAP);
  const rgb = await f.rgb();
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let k = 0; k < 3; k++) sheet[((y0 + y) * W + x0 + x) * 3 + k] = Math.round(rgb[(y * S + x) * 3 + k] * 255);
}
mkdirSync(values.out!, { recursive: true });
const file = join(values.out!, 'contact-sheet.png');
writeFileSync(file, encodePng({ width: W, height: H, channels: 3, data: sheet }));
console.log(`wrote ${file} (${W}x${H}: ${K} identities x ${E} expressions x ${V} views)`);
if (values.dataset) {
  const dir = join(values.out!, 'dataset');
  await writeTransformsDataset(set, dir, { onProgress: (d, n) => { if (d === n) console.log(`wrote ${n} frames to ${dir}`); } });
}
handle?.destroy();
