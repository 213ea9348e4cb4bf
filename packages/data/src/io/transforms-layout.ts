/**
 * The NeRF-style `transforms.json` layout, as GaussianAvatars / VHAP write multi-view head
 * captures:
 *
 *   DIR/transforms.json                  intrinsics (camera_angle_x, fl_x, fl_y, cx, cy, w, h) and frames[]
 *   DIR/images/<subject>/<t>_<c>.png     RGB (8-bit)
 *   DIR/fg_masks/<subject>/<t>_<c>.png   foreground mask (8-bit gray)
 *   DIR/flame_param/<subject>/<t>.npz    FLAME parameters of time step t (keys of `writeTrackingNpz`, T = 1);
 *                                        <t>_<c>.npz when the cameras of one time step differ in pose
 *
 * Each frame: file_path, fg_mask_path, flame_param_path, transform_matrix (4x4 camera-to-world,
 * OpenGL / NeRF axes: x right, y up, z backward), per-frame fl_x / fl_y / cx / cy / w / h,
 * timestep_index, camera_index and our additions subject_index, split, expression_index,
 * view_index, light. Top level: subjects [{ name, shape }] and meta.
 * @see https://github.com/ShenhanQian/GaussianAvatars (transforms.json with flame_param_path)
 */
import { HeadsplatError } from '@headsplat/core';
import { readTrackingNpz, trackingFrame, writeTrackingNpz, type FlameFrameParams } from '@headsplat/flame';
import { checkRigidRowMajor, nerfTransformToViewMatrix, viewMatrixToNerfTransform } from '../camera-math.js';
import { dataFail, raw } from '../errors.js';
import type { CaptureCamera, CaptureFrame, CaptureLight, CaptureSet, CaptureSubject, SplitName } from '../types.js';
import { decodeMaskPng, decodeRgbPng, encodeMaskPng, encodeRgbPng, pngSize } from './images.js';
import { exists, nodeFs, readBytes } from './node-fs.js';

const SPLITS: SplitName[] = ['train', 'heldOutView', 'heldOutExpression', 'heldOutIdentity'];

export interface WriteDatasetOptions {
  /** Called after each written frame. */
  onProgress?: (done: number, total: number) => void;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function splitOf(set: CaptureSet): (SplitName | undefined)[] {
  const out: (SplitName | undefined)[] = new Array(set.frames.length);
  for (const s of SPLITS) for (const i of set.splits[s] ?? []) out[i] = s;
  return out;
}

/** The FLAME parameters of one frame as a one-frame tracking sequence. */
function seqOf(p: FlameFrameParams, numShape: number) {
  const E = p.expression?.length ?? 0;
  const arr = (v: ArrayLike<number> | undefined, n: number) => (v ? Float32Array.from(v) : new Float32Array(n));
  return {
    numFrames: 1, numExpression: E, shape: p.shape ? Float32Array.from(p.shape) : new Float32Array(numShape),
    expr: arr(p.expression, E), rotation: arr(p.rotation, 3), neckPose: arr(p.neckPose, 3), jawPose: arr(p.jawPose, 3),
    eyesPose: arr(p.eyesPose, 6), translation: arr(p.translation, 3),
  };
}

function paramsKey(p: FlameFrameParams): string {
  const a = (v: ArrayLike<number> | undefined) => (v ? Array.from(v).join(',') : '');
  return [p.shape, p.expression, p.rotation, p.neckPose, p.jawPose, p.eyesPose, p.translation].map(a).join('|');
}

const camJson = (c: CaptureCamera) => ({
  fl_x: c.fx, fl_y: c.fy, cx: c.cx, cy: c.cy, w: c.width, h: c.height,
  camera_angle_x: 2 * Math.atan(c.width / (2 * c.fx)), camera_angle_y: 2 * Math.atan(c.height / (2 * c.fy)),
  ...(c.near !== undefined ? { near: c.near } : {}), ...(c.far !== undefined ? { far: c.far } : {}),
});

/** Writes a capture set in the transforms.json layout (see the module comment). */
export async function writeTransformsDataset(set: CaptureSet, dir: string, options: WriteDatasetOptions = {}): Promise<void> {
  const fn = 'writeTransformsDataset';
  const { fs, path } = await nodeFs(fn);
  if (set.frames.length === 0) dataFail(fn, 'set.frames', 'a non-empty array', set.frames);
  const splits = splitOf(set);
  const seen = new Set<string>();
  // FLAME files: one per (subject, time step) when its frames agree, else one per frame.
  const groups = new Map<string, Set<string>>();
  set.frames.forEach((f) => {
    const g = `${f.subject}/${f.timestep}`;
    if (!groups.has(g)) groups.set(g, new Set());
    groups.get(g)!.add(paramsKey(f.flame));
  });
  const frames: Record<string, unknown>[] = [];
  const written = new Set<string>();
  for (let i = 0; i < set.frames.length; i++) {
    const f = set.frames[i];
    const subj = set.subjects[f.subject];
    if (!subj) dataFail(fn, `set.frames[${i}].subject`, `an index into set.subjects (length ${set.subjects.length})`, f.subject);
    const key = `${subj.name}/${pad(f.timestep, 5)}_${pad(f.cameraIndex, 2)}`;
    if (seen.has(key)) dataFail(fn, `set.frames[${i}]`, 'unique (subject, timestep, cameraIndex)', raw(`a second frame for ${key}`));
    seen.add(key);
    const img = `images/${key}.png`, mask = `fg_masks/${key}.png`;
    const shared = groups.get(`${f.subject}/${f.timestep}`)!.size === 1;
    const npz = `flame_param/${subj.name}/${pad(f.timestep, 5)}${shared ? '' : `_${pad(f.cameraIndex, 2)}`}.npz`;
    await fs.mkdir(path.join(dir, 'images', subj.name), { recursive: true });
    await fs.mkdir(path.join(dir, 'fg_masks', subj.name), { recursive: true });
    await fs.mkdir(path.join(dir, 'flame_param', subj.name), { recursive: true });
    const [rgb, m] = await Promise.all([f.rgb(), f.mask()]);
    await fs.writeFile(path.join(dir, img), encodeRgbPng(rgb, f.width, f.height));
    await fs.writeFile(path.join(dir, mask), encodeMaskPng(m, f.width, f.height));
    if (!written.has(npz)) {
      await fs.writeFile(path.join(dir, npz), writeTrackingNpz(seqOf(f.flame, subj.shape.length)));
      written.add(npz);
    }
    const c2w = viewMatrixToNerfTransform(f.camera.viewMatrix);
    frames.push({
      file_path: img, fg_mask_path: mask, flame_param_path: npz,
      transform_matrix: [0, 1, 2, 3].map((r) => Array.from(c2w.subarray(r * 4, r * 4 + 4))),
      ...camJson(f.camera),
      timestep_index: f.timestep, camera_index: f.cameraIndex, subject_index: f.subject, subject: subj.name,
      ...(splits[i] ? { split: splits[i] } : {}),
      ...(f.expressionIndex !== undefined ? { expression_index: f.expressionIndex } : {}),
      ...(f.viewIndex !== undefined ? { view_index: f.viewIndex } : {}),
      ...(f.light ? { light: f.light } : {}),
    });
    options.onProgress?.(i + 1, set.frames.length);
  }
  const doc = {
    ...camJson(set.frames[0].camera),
    subjects: set.subjects.map((s) => ({ name: s.name, shape: Array.from(s.shape) })),
    meta: set.meta,
    frames,
  };
  await fs.writeFile(path.join(dir, 'transforms.json'), JSON.stringify(doc, null, 1));
}

export interface ReadDatasetOptions {
  /** JSON file inside the folder (default 'transforms.json'). */
  file?: string;
  /** Background RGBA images are composited over (default meta.background, else white). */
  background?: [number, number, number];
  /** Keep decoded images after the first `rgb()` / `mask()` (default true). */
  cache?: boolean;
}

type Json = Record<string, unknown>;

function num(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) dataFail(fn, arg, 'a finite number', v);
  return v;
}

/** Intrinsics of a frame: per-frame keys over the top level; fl_x from camera_angle_x when absent. */
async function intrinsics(fn: string, at: string, fr: Json, top: Json, size: () => Promise<{ width: number; height: number }>) {
  const get = (k: string) => (fr[k] !== undefined ? fr[k] : top[k]);
  let w = get('w'), h = get('h');
  if (w === undefined || h === undefined) {
    const s = await size();
    w ??= s.width;
    h ??= s.height;
  }
  const W = num(fn, `${at}.w`, w), H = num(fn, `${at}.h`, h);
  if (!Number.isInteger(W) || !Number.isInteger(H) || W < 1 || H < 1) dataFail(fn, `${at}.w / h`, 'positive integers', [W, H]);
  let fx = get('fl_x'), fy = get('fl_y');
  if (fx === undefined) {
    const ax = get('camera_angle_x');
    if (ax === undefined) dataFail(fn, `${at}.fl_x`, 'present (or camera_angle_x)', undefined);
    fx = W / (2 * Math.tan(num(fn, `${at}.camera_angle_x`, ax) / 2));
  }
  if (fy === undefined) {
    const ay = get('camera_angle_y');
    fy = ay === undefined ? fx : H / (2 * Math.tan(num(fn, `${at}.camera_angle_y`, ay) / 2));
  }
  const FX = num(fn, `${at}.fl_x`, fx), FY = num(fn, `${at}.fl_y`, fy);
  if (!(FX > 0 && FY > 0)) dataFail(fn, `${at}.fl_x / fl_y`, 'positive', [FX, FY]);
  const cx = get('cx'), cy = get('cy');
  return {
    width: W, height: H, fx: FX, fy: FY,
    cx: cx === undefined ? W / 2 : num(fn, `${at}.cx`, cx), cy: cy === undefined ? H / 2 : num(fn, `${at}.cy`, cy),
    near: get('near') as number | undefined, far: get('far') as number | undefined,
  };
}

function lightOf(fn: string, arg: string, v: unknown): CaptureLight {
  const l = v as Partial<CaptureLight> | null;
  const ok = !!l && Array.isArray(l.direction) && l.direction.length === 3 && l.direction.every(Number.isFinite) && Number.isFinite(l.ambient) && Number.isFinite(l.diffuse);
  if (!ok) dataFail(fn, arg, '{ direction: [x, y, z], ambient, diffuse } with finite numbers', v);
  return { direction: [l!.direction![0], l!.direction![1], l!.direction![2]], ambient: l!.ambient!, diffuse: l!.diffuse! };
}

function matrixRows(fn: string, arg: string, v: unknown): Float64Array {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((r) => Array.isArray(r) && r.length === 4)) dataFail(fn, arg, 'a 4x4 nested array', v);
  const m = Float64Array.from((v as unknown[][]).flat().map((x) => (typeof x === 'number' ? x : NaN)));
  checkRigidRowMajor(fn, arg, m);
  return m;
}

/**
 * Reads the transforms.json layout (ours, GaussianAvatars', or a plain NeRF one: `file_path`
 * without extension gets '.png'; an RGBA image without `fg_mask_path` gives its alpha as the
 * mask). Checks every image exists and every camera matrix is finite and rigid up front;
 * images are decoded on the first `rgb()` / `mask()` call. Splits come from each frame's
 * `split`, else from transforms_{train,val,test}.json membership (train / heldOutView /
 * heldOutExpression), else all frames are train.
 */
export async function readTransformsDataset(dir: string, options: ReadDatasetOptions = {}): Promise<CaptureSet> {
  const fn = 'readTransformsDataset';
  const { fs, path } = await nodeFs(fn);
  const file = path.join(dir, options.file ?? 'transforms.json');
  let doc: Json;
  try {
    doc = JSON.parse(new TextDecoder().decode(await readBytes(fs, fn, 'the transforms file', file))) as Json;
  } catch (e) {
    if (e instanceof HeadsplatError) throw e;
    throw new HeadsplatError(`${fn}: '${file}' must be valid JSON, got ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.frames) || doc.frames.length === 0) dataFail(fn, `'${file}'.frames`, 'a non-empty array', doc?.frames);
  const meta = (doc.meta && typeof doc.meta === 'object' ? doc.meta : {}) as Record<string, unknown>;
  const bg = options.background ?? (Array.isArray(meta.background) ? (meta.background as [number, number, number]) : [1, 1, 1]);
  const cache = options.cache ?? true;
  const subjects: CaptureSubject[] = Array.isArray(doc.subjects)
    ? (doc.subjects as Json[]).map((s, k) => ({ name: typeof s.name === 'string' ? s.name : `id${pad(k, 3)}`, shape: Float32Array.from((s.shape as number[]) ?? []) }))
    : [];
  // Split files of GaussianAvatars-style sets.
  const splitByPath = new Map<string, SplitName>();
  for (const [name, split] of [['transforms_train.json', 'train'], ['transforms_val.json', 'heldOutView'], ['transforms_test.json', 'heldOutExpression']] as const) {
    const p = path.join(dir, name);
    if (!(await exists(fs, p))) continue;
    const d = JSON.parse(new TextDecoder().decode(await fs.readFile(p))) as Json;
    for (const fr of (d.frames as Json[]) ?? []) if (typeof fr.file_path === 'string') splitByPath.set(fr.file_path, split);
  }
  const npzCache = new Map<string, FlameFrameParams>();
  const frames: CaptureFrame[] = [];
  const splits: Record<SplitName, number[]> = { train: [], heldOutView: [], heldOutExpression: [], heldOutIdentity: [] };
  const rawFrames = doc.frames as Json[];
  for (let i = 0; i < rawFrames.length; i++) {
    const fr = rawFrames[i];
    const at = `frames[${i}]`;
    if (!fr || typeof fr !== 'object') dataFail(fn, at, 'an object', fr);
    if (typeof fr.file_path !== 'string') dataFail(fn, `${at}.file_path`, 'a string', fr.file_path);
    let imgPath = path.resolve(dir, fr.file_path);
    if (!(await exists(fs, imgPath)) && (await exists(fs, `${imgPath}.png`))) imgPath = `${imgPath}.png`;
    if (!(await exists(fs, imgPath))) throw new HeadsplatError(`${fn}: ${at}.file_path must name an existing image, got '${fr.file_path}' (${imgPath} is missing)`);
    const maskRel = fr.fg_mask_path ?? fr.mask_path;
    let maskPath: string | null = null;
    if (maskRel !== undefined) {
      if (typeof maskRel !== 'string') dataFail(fn, `${at}.fg_mask_path`, 'a string', maskRel);
      maskPath = path.resolve(dir, maskRel);
      if (!(await exists(fs, maskPath))) throw new HeadsplatError(`${fn}: ${at}.fg_mask_path must name an existing image, got '${maskRel}' (${maskPath} is missing)`);
    }
    const view = nerfTransformToViewMatrix(matrixRows(fn, `${at}.transform_matrix`, fr.transform_matrix));
    const k = await intrinsics(fn, at, fr, doc, async () => pngSize(fn, imgPath, await readBytes(fs, fn, `${at} image`, imgPath)));
    const camera: CaptureCamera = { viewMatrix: view, fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, width: k.width, height: k.height };
    if (k.near !== undefined) camera.near = num(fn, `${at}.near`, k.near);
    if (k.far !== undefined) camera.far = num(fn, `${at}.far`, k.far);
    let flame: FlameFrameParams = {};
    const npzRel = fr.flame_param_path ?? fr.flame_param;
    if (npzRel !== undefined) {
      if (typeof npzRel !== 'string') dataFail(fn, `${at}.flame_param_path`, 'a string', npzRel);
      const p = path.resolve(dir, npzRel);
      if (!npzCache.has(p)) {
        const seq = readTrackingNpz(await readBytes(fs, fn, `${at}.flame_param_path`, p));
        const t = trackingFrame(seq, 0);
        npzCache.set(p, { ...t, shape: t.shape.length ? t.shape : undefined });
      }
      flame = npzCache.get(p)!;
    }
    const subject = fr.subject_index === undefined ? 0 : num(fn, `${at}.subject_index`, fr.subject_index);
    if (!Number.isInteger(subject) || subject < 0) dataFail(fn, `${at}.subject_index`, 'a non-negative integer', subject);
    while (subjects.length <= subject) subjects.push({ name: typeof fr.subject === 'string' ? fr.subject : `id${pad(subjects.length, 3)}`, shape: Float32Array.from(flame.shape ?? []) });
    const W = k.width, H = k.height;
    let rgbCache: Promise<{ rgb: Float32Array; alpha: Float32Array | null }> | null = null;
    const decodeRgb = () => {
      const run = async () => {
        const d = decodeRgbPng(fn, imgPath, await readBytes(fs, fn, `${at} image`, imgPath), W, H, bg);
        return { rgb: d.rgb, alpha: d.alpha };
      };
      if (!cache) return run();
      return (rgbCache ??= run());
    };
    let maskCache: Promise<Float32Array> | null = null;
    const decodeMask = async (): Promise<Float32Array> => {
      if (maskPath) {
        const mp = maskPath;
        const run = async () => decodeMaskPng(fn, mp, await readBytes(fs, fn, `${at} mask`, mp), W, H);
        return cache ? (maskCache ??= run()) : run();
      }
      const d = await decodeRgb();
      if (!d.alpha) throw new HeadsplatError(`${fn}: ${at} has no mask: give fg_mask_path or an RGBA image (got an opaque '${imgPath}')`);
      return d.alpha;
    };
    const frame: CaptureFrame = {
      subject, cameraIndex: fr.camera_index === undefined ? 0 : num(fn, `${at}.camera_index`, fr.camera_index),
      timestep: fr.timestep_index === undefined ? i : num(fn, `${at}.timestep_index`, fr.timestep_index),
      camera, flame, width: W, height: H,
      rgb: async () => { const d = await decodeRgb(); return cache ? d.rgb.slice() : d.rgb; },
      mask: async () => { const m = await decodeMask(); return cache ? m.slice() : m; },
    };
    if (fr.expression_index !== undefined) frame.expressionIndex = num(fn, `${at}.expression_index`, fr.expression_index);
    if (fr.view_index !== undefined) frame.viewIndex = num(fn, `${at}.view_index`, fr.view_index);
    if (fr.light !== undefined) frame.light = lightOf(fn, `${at}.light`, fr.light);
    let split: SplitName = 'train';
    if (fr.split !== undefined) {
      if (!SPLITS.includes(fr.split as SplitName)) dataFail(fn, `${at}.split`, `one of ${SPLITS.join(', ')}`, fr.split);
      split = fr.split as SplitName;
    } else split = splitByPath.get(fr.file_path) ?? 'train';
    splits[split].push(frames.length);
    frames.push(frame);
  }
  return { subjects, frames, splits, meta };
}
