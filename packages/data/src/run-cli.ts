/**
 * `headsplat-data synth --out DIR [--identities K --expressions E --views V --size S
 *   --rig dome|monocular|wild --seed N --background R,G,B --webgpu]`: synthesises a capture
 * set and writes it in the transforms.json layout, streaming frames to disk with a progress bar.
 */
import { parseArgs } from 'node:util';
import { HeadsplatError } from '@headsplat/core';
import { inMemoryFrame, CaptureSynthesizer, RIG_NAMES, type RigName } from './synth/synthesize.js';
import { writeTransformsDataset } from './io/transforms-layout.js';
import type { CaptureFrame, CaptureSet } from './types.js';

const USAGE = `usage: headsplat-data synth --out DIR [--identities K=4] [--expressions E=6] [--views V=4] [--size S=128]
                           [--rig dome|monocular|wild] [--seed N=0] [--background R,G,B=1,1,1] [--webgpu]`;

export interface CliIo {
  log(line: string): void;
  /** Progress output (a carriage-return bar on a TTY). */
  progress(text: string): void;
}

const defaultIo: CliIo = {
  log: (l) => console.log(l),
  progress: (t) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${t}`);
    else process.stderr.write(`${t}\n`);
  },
};

function int(flag: string, v: string | undefined, def: number, lo: number, hi: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < lo || n > hi) throw new HeadsplatError(`headsplat-data: --${flag} must be an integer in [${lo}, ${hi}], got '${v}'`);
  return n;
}

function bar(done: number, total: number, t0: number): string {
  const w = 30, f = Math.round((w * done) / total);
  const s = (performance.now() - t0) / 1000;
  const eta = done > 0 ? (s / done) * (total - done) : 0;
  return `[${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${total} frames ${s.toFixed(1)} s, eta ${eta.toFixed(1)} s`;
}

export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd !== 'synth') throw new HeadsplatError(`headsplat-data: the command must be 'synth', got ${cmd === undefined ? 'none' : `'${cmd}'`}\n${USAGE}`);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        out: { type: 'string' }, identities: { type: 'string' }, expressions: { type: 'string' }, views: { type: 'string' },
        size: { type: 'string' }, rig: { type: 'string' }, seed: { type: 'string' }, background: { type: 'string' }, webgpu: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new HeadsplatError(`headsplat-data: ${(e as Error).message}\n${USAGE}`);
  }
  if (!values.out) throw new HeadsplatError(`headsplat-data: --out must name the output folder, got none\n${USAGE}`);
  const rig = (values.rig ?? 'dome') as RigName;
  if (!RIG_NAMES.includes(rig)) throw new HeadsplatError(`headsplat-data: --rig must be one of ${RIG_NAMES.join(', ')}, got '${values.rig}'`);
  let background: [number, number, number] | undefined;
  if (values.background !== undefined) {
    const b = values.background.split(',').map(Number);
    if (b.length !== 3 || !b.every((c) => c >= 0 && c <= 1)) throw new HeadsplatError(`headsplat-data: --background must be three numbers in [0, 1] like 0.5,0.5,0.5, got '${values.background}'`);
    background = [b[0], b[1], b[2]];
  }
  let device: GPUDevice | undefined;
  let destroy = () => {};
  if (values.webgpu) {
    const { getSharedDevice } = await import('@headsplat/gpu');
    const h = await getSharedDevice();
    device = h.device;
    destroy = () => h.destroy();
  }
  const t0 = performance.now();
  const gen = new CaptureSynthesizer({
    identities: int('identities', values.identities, 4, 1, 100000), expressions: int('expressions', values.expressions, 6, 1, 100000),
    views: int('views', values.views, 4, 1, 10000), size: int('size', values.size, 128, 8, 8192), rig,
    seed: int('seed', values.seed, 0, -(2 ** 31), 2 ** 31 - 1), background, device,
  });
  io.log(`headsplat-data: ${gen.subjects.length} identities, ${gen.expressionList.length} expressions, ${gen.frames.length} frames of ${gen.width}x${gen.height} (${rig} rig, ${device ? 'WebGPU' : 'CPU'}) -> ${values.out}`);
  // Frames render one at a time as the writer asks for them, so memory stays at one frame.
  const frames: CaptureFrame[] = gen.frames.map((p, i) => {
    let img: ReturnType<CaptureSynthesizer['render']> | null = null;
    const get = () => (img ??= gen.render(i));
    const lazy = inMemoryFrame(p, gen.width, gen.height, { rgb: new Float32Array(0), mask: new Float32Array(0) });
    lazy.rgb = async () => (await get()).rgb;
    lazy.mask = async () => {
      const m = (await get()).mask;
      img = null;
      return m;
    };
    return lazy;
  });
  const set: CaptureSet = { subjects: gen.subjects, frames, splits: gen.splits, meta: gen.meta };
  // Every frame on a terminal; about every 5% when the output is a log.
  const step = process.stderr.isTTY ? 1 : Math.max(1, Math.floor(frames.length / 20));
  await writeTransformsDataset(set, values.out, { onProgress: (d, n) => { if (d === n || d % step === 0) io.progress(bar(d, n, t0)); } });
  if (process.stderr.isTTY) process.stderr.write('\n');
  destroy();
  io.log(`headsplat-data: wrote ${values.out}/transforms.json in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
