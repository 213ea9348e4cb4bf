/**
 * The monocular layout of IMavatar / PointAvatar preprocessing:
 *
 *   DIR/flame_params.json   frames[] { file_path './image/<n>', world_mat (3x4), expression, pose (15), ... },
 *                           shape_params, intrinsics [fx/W, fy/H, cx/W, cy/H]
 *   DIR/image/<n>.png       RGB
 *   DIR/mask/<n>.png        foreground mask (the image path with 'image' -> 'mask', as IMavatar reads it)
 *
 * `world_mat` is world-to-camera with OpenGL camera axes (y up, z backward) by default, the
 * convention readers of these files undo by negating its rows 1 and 2; pass
 * `worldMatConvention: 'opencv'` for files written with OpenCV axes. The FLAME parameters go
 * through @headsplat/flame's `parseFlameParamsJson` / `writeFlameParamsJson`; our additions
 * per frame: split, expression_index, view_index, width / height at the top level.
 * @see https://github.com/zhengyuf/IMavatar (code/datasets/real_dataset.py)
 */
import { HeadsplatError } from '@headsplat/core';
import { parseFlameParamsJson, trackingFrame, writeFlameParamsJson, type FlameTrackingSequence } from '@headsplat/flame';
import { checkRigidRowMajor, flipCameraYZRowMajor, transpose4 } from '../camera-math.js';
import { dataFail, raw } from '../errors.js';
import type { CaptureFrame, CaptureSet, SplitName } from '../types.js';
import { decodeMaskPng, decodeRgbPng, encodeMaskPng, encodeRgbPng, pngSize } from './images.js';
import { exists, nodeFs, readBytes } from './node-fs.js';
import type { ReadDatasetOptions, WriteDatasetOptions } from './transforms-layout.js';

export type WorldMatConvention = 'opengl' | 'opencv';

export interface WriteMonocularOptions extends WriteDatasetOptions {
  /** Subject whose frames are written (default 0): the layout holds one subject. */
  subject?: number;
  worldMatConvention?: WorldMatConvention;
}

const SPLITS: SplitName[] = ['train', 'heldOutView', 'heldOutExpression', 'heldOutIdentity'];

/** Writes one subject's frames (all with the same intrinsics) in the IMavatar layout. */
export async function writeMonocularDataset(set: CaptureSet, dir: string, options: WriteMonocularOptions = {}): Promise<void> {
  const fn = 'writeMonocularDataset';
  const { fs, path } = await nodeFs(fn);
  const subject = options.subject ?? 0;
  const conv = options.worldMatConvention ?? 'opengl';
  const idx = set.frames.map((_, i) => i).filter((i) => set.frames[i].subject === subject);
  if (idx.length === 0) dataFail(fn, 'options.subject', 'a subject with frames', subject);
  const first = set.frames[idx[0]];
  const c0 = first.camera;
  const E = first.flame.expression?.length ?? 0;
  const T = idx.length;
  const splitOf = new Map<number, SplitName>();
  for (const s of SPLITS) for (const i of set.splits[s] ?? []) splitOf.set(i, s);
  const seq: FlameTrackingSequence = {
    numFrames: T, numExpression: E, shape: Float32Array.from(set.subjects[subject]?.shape ?? first.flame.shape ?? []),
    expr: new Float32Array(T * E), rotation: new Float32Array(T * 3), neckPose: new Float32Array(T * 3),
    jawPose: new Float32Array(T * 3), eyesPose: new Float32Array(T * 6), translation: new Float32Array(T * 3),
  };
  await fs.mkdir(path.join(dir, 'image'), { recursive: true });
  await fs.mkdir(path.join(dir, 'mask'), { recursive: true });
  const jsonFrames = [];
  const extras: Record<string, unknown>[] = [];
  for (let t = 0; t < T; t++) {
    const f = set.frames[idx[t]];
    const at = `set.frames[${idx[t]}]`;
    const c = f.camera;
    if (c.width !== c0.width || c.height !== c0.height || c.fx !== c0.fx || c.fy !== c0.fy || c.cx !== c0.cx || c.cy !== c0.cy) {
      dataFail(fn, `${at}.camera`, `the intrinsics of the first frame (one 'intrinsics' entry per file: ${c0.width}x${c0.height}, fx ${c0.fx}, fy ${c0.fy}, cx ${c0.cx}, cy ${c0.cy})`, raw(`${c.width}x${c.height}, fx ${c.fx}, fy ${c.fy}, cx ${c.cx}, cy ${c.cy}`));
    }
    const p = f.flame;
    if (p.translation && Array.from(p.translation).some((v) => v !== 0)) dataFail(fn, `${at}.flame.translation`, 'zero (flame_params.json has no translation; fold it into the camera)', Array.from(p.translation));
    if ((p.expression?.length ?? 0) !== E) dataFail(fn, `${at}.flame.expression`, `${E} values (as the first frame)`, p.expression);
    if (p.expression) seq.expr.set(p.expression, t * E);
    if (p.rotation) seq.rotation.set(p.rotation, t * 3);
    if (p.neckPose) seq.neckPose.set(p.neckPose, t * 3);
    if (p.jawPose) seq.jawPose.set(p.jawPose, t * 3);
    if (p.eyesPose) seq.eyesPose.set(p.eyesPose, t * 6);
    const w2c = transpose4(c.viewMatrix);
    const worldMat = conv === 'opengl' ? flipCameraYZRowMajor(w2c) : w2c;
    const name = String(t + 1);
    jsonFrames.push({ filePath: `./image/${name}`, worldMat });
    const [rgb, m] = await Promise.all([f.rgb(), f.mask()]);
    await fs.writeFile(path.join(dir, 'image', `${name}.png`), encodeRgbPng(rgb, f.width, f.height));
    await fs.writeFile(path.join(dir, 'mask', `${name}.png`), encodeMaskPng(m, f.width, f.height));
    extras.push({
      ...(splitOf.has(idx[t]) ? { split: splitOf.get(idx[t]) } : {}),
      ...(f.expressionIndex !== undefined ? { expression_index: f.expressionIndex } : {}),
      ...(f.viewIndex !== undefined ? { view_index: f.viewIndex } : {}),
      timestep_index: f.timestep, camera_index: f.cameraIndex,
    });
    options.onProgress?.(t + 1, T);
  }
  const intr = [c0.fx / c0.width, c0.fy / c0.height, c0.cx / c0.width, c0.cy / c0.height];
  const doc = JSON.parse(writeFlameParamsJson(seq, jsonFrames, intr)) as { frames: Record<string, unknown>[] } & Record<string, unknown>;
  doc.frames.forEach((fr, t) => Object.assign(fr, extras[t]));
  Object.assign(doc, { width: c0.width, height: c0.height, world_mat_convention: conv, subject: set.subjects[subject]?.name ?? `id${subject}`, meta: set.meta });
  await fs.writeFile(path.join(dir, 'flame_params.json'), JSON.stringify(doc, null, 1));
}

export interface ReadMonocularOptions extends ReadDatasetOptions {
  /** Default 'flame_params.json'. */
  file?: string;
  /** Image size when the file does not say (default: read from the first image's header). */
  width?: number;
  height?: number;
  /** Default: the file's `world_mat_convention`, else 'opengl'. */
  worldMatConvention?: WorldMatConvention;
}

/** Reads the IMavatar / PointAvatar layout into a one-subject capture set (lazy image decode). */
export async function readMonocularDataset(dir: string, options: ReadMonocularOptions = {}): Promise<CaptureSet> {
  const fn = 'readMonocularDataset';
  const { fs, path } = await nodeFs(fn);
  const file = path.join(dir, options.file ?? 'flame_params.json');
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder().decode(await readBytes(fs, fn, 'the FLAME parameter file', file))) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof HeadsplatError) throw e;
    throw new HeadsplatError(`${fn}: '${file}' must be valid JSON, got ${(e as Error).message}`);
  }
  const parsed = parseFlameParamsJson(doc);
  const rawFrames = doc.frames as Record<string, unknown>[];
  const conv = options.worldMatConvention ?? (doc.world_mat_convention === 'opencv' ? 'opencv' : 'opengl');
  const meta = (doc.meta && typeof doc.meta === 'object' ? doc.meta : {}) as Record<string, unknown>;
  const bg = options.background ?? (Array.isArray(meta.background) ? (meta.background as [number, number, number]) : [1, 1, 1]);
  const cache = options.cache ?? true;
  const imagePath = (t: number) => {
    const fp = parsed.frames[t].filePath;
    if (fp === undefined) dataFail(fn, `frames[${t}].file_path`, 'a string', undefined);
    return path.resolve(dir, fp.endsWith('.png') ? fp : `${fp}.png`);
  };
  let W = options.width ?? (doc.width as number | undefined), H = options.height ?? (doc.height as number | undefined);
  if (W === undefined || H === undefined) {
    const p0 = imagePath(0);
    const s = pngSize(fn, p0, await readBytes(fs, fn, 'frames[0] image', p0));
    W ??= s.width;
    H ??= s.height;
  }
  const intr = parsed.intrinsics;
  if (!intr) dataFail(fn, 'intrinsics', 'present ([fx, fy, cx, cy], normalised by the image size)', undefined);
  // IMavatar's reader: values above 1 are an older format in pixels of a 512 image.
  const scale = intr[3] > 1 ? [W / 512, H / 512, W / 512, H / 512] : [W, H, W, H];
  const [fx, fy, cx, cy] = intr.map((v, i) => v * scale[i]);
  if (!(fx > 0 && fy > 0)) dataFail(fn, 'intrinsics[0..1]', 'positive focal lengths', intr);
  const frames: CaptureFrame[] = [];
  const splits: Record<SplitName, number[]> = { train: [], heldOutView: [], heldOutExpression: [], heldOutIdentity: [] };
  const shape = parsed.sequence.shape;
  for (let t = 0; t < parsed.sequence.numFrames; t++) {
    const at = `frames[${t}]`;
    const wm = parsed.frames[t].worldMat;
    if (!wm) dataFail(fn, `${at}.world_mat`, 'present (a 3x4 world-to-camera matrix)', undefined);
    checkRigidRowMajor(fn, `${at}.world_mat`, wm);
    const w2c = conv === 'opengl' ? flipCameraYZRowMajor(wm) : wm;
    const img = imagePath(t);
    if (!(await exists(fs, img))) throw new HeadsplatError(`${fn}: ${at}.file_path must name an existing image, got '${parsed.frames[t].filePath}' (${img} is missing)`);
    const maskP = img.replace(/([\\/])image([\\/])(?!.*[\\/]image[\\/])/, '$1mask$2');
    const hasMask = maskP !== img && (await exists(fs, maskP));
    const p = trackingFrame(parsed.sequence, t);
    const w = W, h = H;
    let rc: Promise<{ rgb: Float32Array; alpha: Float32Array | null }> | null = null;
    const rgbOf = () => {
      const run = async () => decodeRgbPng(fn, img, await readBytes(fs, fn, `${at} image`, img), w, h, bg);
      return cache ? (rc ??= run()) : run();
    };
    let mc: Promise<Float32Array> | null = null;
    const fr = rawFrames[t];
    const frame: CaptureFrame = {
      subject: 0, cameraIndex: typeof fr.camera_index === 'number' ? fr.camera_index : 0,
      timestep: typeof fr.timestep_index === 'number' ? fr.timestep_index : t,
      camera: { viewMatrix: Float32Array.from(transpose4(w2c)), fx, fy, cx, cy, width: w, height: h },
      flame: { shape: shape.length ? shape : undefined, expression: p.expression, rotation: p.rotation, neckPose: p.neckPose, jawPose: p.jawPose, eyesPose: p.eyesPose },
      width: w, height: h,
      rgb: async () => (await rgbOf()).rgb.slice(),
      mask: async () => {
        if (hasMask) {
          const run = async () => decodeMaskPng(fn, maskP, await readBytes(fs, fn, `${at} mask`, maskP), w, h);
          return (await (cache ? (mc ??= run()) : run())).slice();
        }
        const d = await rgbOf();
        if (!d.alpha) throw new HeadsplatError(`${fn}: ${at} has no mask: '${maskP}' is missing and '${img}' has no alpha`);
        return d.alpha.slice();
      },
    };
    if (typeof fr.expression_index === 'number') frame.expressionIndex = fr.expression_index;
    if (typeof fr.view_index === 'number') frame.viewIndex = fr.view_index;
    if (fr.split !== undefined && !SPLITS.includes(fr.split as SplitName)) dataFail(fn, `${at}.split`, `one of ${SPLITS.join(', ')}`, fr.split);
    const split = (fr.split ?? 'train') as SplitName;
    splits[split].push(frames.length);
    frames.push(frame);
  }
  const name = typeof doc.subject === 'string' ? doc.subject : 'id000';
  return { subjects: [{ name, shape: Float32Array.from(shape) }], frames, splits, meta };
}
