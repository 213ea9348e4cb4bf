/**
 * The synthetic capture generator: textured synthetic FLAME heads (varied identities,
 * expressions and jaw poses) rendered with @headsplat/mesh-raster from a dome, a monocular
 * sequence or "in the wild" single images, with foreground masks, ground-truth FLAME
 * parameters, cameras and train / held-out splits. Deterministic per seed.
 */
import { HeadsplatError } from '@headsplat/core';
import { createSyntheticFlame, flameForwardCpu, vertexNormals, type FlameFrameParams, type SyntheticFlame } from '@headsplat/flame';
import { buildEdgeTopology, type EdgeTopology } from '@headsplat/mesh-raster';
import { normalize3 } from '../camera-math.js';
import { dataFail, intOption, numOption } from '../errors.js';
import { SeededRandom } from '../random.js';
import type { CaptureCamera, CaptureFrame, CaptureLight, CaptureSet, CaptureSubject, SplitName } from '../types.js';
import { drawAppearance, paintAlbedo, uvSamplesFor, type AlbedoTexture, type HeadAppearance } from './albedo.js';
import { buildExpressions, type SyntheticExpression } from './expressions.js';
import { HeadRendererWebGPU, renderHeadCpu, type HeadMeshInput, type RenderedImage } from './render-head.js';
import { domePositions, framingCamera, headFrame, viewDirection, type HeadFrame } from './rigs.js';

const DEG = Math.PI / 180;

export type RigName = 'dome' | 'monocular' | 'wild';
export const RIG_NAMES: readonly RigName[] = ['dome', 'monocular', 'wild'];

export interface SynthesizeOptions {
  /** Number of identities K (default 4). */
  identities?: number;
  /** Number of expressions E per identity (default 6): 0 neutral, 1 jaw open, 2 smile, 3 blink + brows, 4 pucker, then random mixtures. */
  expressions?: number;
  /** Views V: cameras of the dome, head poses of the monocular sequence, images per expression in the wild (default 4). */
  views?: number;
  /** Square image side (default 128); `width` / `height` override it. */
  size?: number;
  width?: number;
  height?: number;
  /** Rig (default 'dome'). */
  rig?: RigName;
  /** Seed of identities, expressions and wild cameras / lights (default 0). */
  seed?: number;
  /** Background RGB in [0, 1] (default white [1, 1, 1], as GaussianAvatars and PointAvatar train with). */
  background?: [number, number, number];
  /** Render with the WebGPU kernels on this device; without it the float64 CPU reference renders. */
  device?: GPUDevice;
  /** The FLAME-format model (default `createSyntheticFlame()`, seed 0). */
  model?: SyntheticFlame;
  /** Albedo texture side (default 256). */
  textureSize?: number;
  /** Standard deviation of the identities' shape coefficients (default 1.5). */
  shapeScale?: number;
  /** Focal length of the dome and monocular cameras, in multiples of the image width (default 2). */
  focal?: number;
  /** Camera (dome, wild) or head-pose (monocular) indices held out (default [1] when V >= 2). */
  heldOutViews?: number[];
  /** Expression indices held out (default [E - 1] when E >= 3). */
  heldOutExpressions?: number[];
  /** Identity indices held out (default [K - 1] when K >= 2). */
  heldOutIdentities?: number[];
  /** Called after each rendered frame. */
  onProgress?: (done: number, total: number) => void;
}

/** A frame of the plan: everything but the pixels. */
export interface PlannedFrame {
  subject: number;
  cameraIndex: number;
  timestep: number;
  expressionIndex: number;
  viewIndex: number;
  camera: CaptureCamera;
  flame: FlameFrameParams;
  light: CaptureLight;
  split: SplitName;
}

export interface SyntheticCaptureSet extends CaptureSet {
  /** The FLAME-format model the heads come from. */
  model: SyntheticFlame;
  /** Albedo texture of each subject, in the model's UV layout. */
  albedo: AlbedoTexture[];
}

const FN = 'synthesizeCaptures';

function indexList(arg: string, v: number[] | undefined, def: number[], n: number): Set<number> {
  const list = v ?? def;
  if (!Array.isArray(list)) dataFail(FN, arg, 'an array of indices', list);
  for (const i of list) if (!Number.isInteger(i) || i < 0 || i >= n) dataFail(FN, arg, `indices in [0, ${n})`, list);
  if (new Set(list).size !== list.length) dataFail(FN, arg, 'distinct indices', list);
  return new Set(list);
}

/**
 * Plans a synthetic capture set and renders its frames on demand (`render(i)`), for callers
 * that stream frames to disk; `synthesizeCaptures` renders all of them into memory.
 */
export class CaptureSynthesizer {
  readonly frames: PlannedFrame[] = [];
  readonly subjects: CaptureSubject[] = [];
  readonly splits: Record<SplitName, number[]> = { train: [], heldOutView: [], heldOutExpression: [], heldOutIdentity: [] };
  readonly meta: Record<string, unknown>;
  readonly model: SyntheticFlame;
  readonly albedo: AlbedoTexture[] = [];
  readonly appearance: HeadAppearance[] = [];
  readonly expressionList: SyntheticExpression[];
  readonly width: number;
  readonly height: number;
  readonly background: [number, number, number];
  private readonly topology: EdgeTopology;
  private readonly gpu: HeadRendererWebGPU | null;
  private cache: { key: string; mesh: HeadMeshInput } | null = null;

  constructor(options: SynthesizeOptions = {}) {
    const o = options;
    const K = intOption(FN, 'options.identities', o.identities, 4, 1, 100000);
    const E = intOption(FN, 'options.expressions', o.expressions, 6, 1, 100000);
    const V = intOption(FN, 'options.views', o.views, 4, 1, 10000);
    const size = intOption(FN, 'options.size', o.size, 128, 8, 8192);
    this.width = intOption(FN, 'options.width', o.width, size, 8, 8192);
    this.height = intOption(FN, 'options.height', o.height, size, 8, 8192);
    const rig = o.rig ?? 'dome';
    if (!RIG_NAMES.includes(rig)) dataFail(FN, 'options.rig', `one of ${RIG_NAMES.map((r) => `'${r}'`).join(', ')}`, rig);
    const seed = o.seed ?? 0;
    if (!Number.isInteger(seed)) dataFail(FN, 'options.seed', 'an integer', seed);
    const bg = o.background ?? [1, 1, 1];
    if (!Array.isArray(bg) || bg.length !== 3 || !bg.every((c) => Number.isFinite(c) && c >= 0 && c <= 1)) dataFail(FN, 'options.background', 'three numbers in [0, 1]', bg);
    this.background = [bg[0], bg[1], bg[2]];
    const texSize = intOption(FN, 'options.textureSize', o.textureSize, 256, 16, 4096);
    const shapeScale = numOption(FN, 'options.shapeScale', o.shapeScale, 1.5, 0, 10);
    const focalMul = numOption(FN, 'options.focal', o.focal, 2, 0.2, 20);
    const heldV = indexList('options.heldOutViews', o.heldOutViews, V >= 2 ? [1] : [], V);
    const heldE = indexList('options.heldOutExpressions', o.heldOutExpressions, E >= 3 ? [E - 1] : [], E);
    const heldK = indexList('options.heldOutIdentities', o.heldOutIdentities, K >= 2 ? [K - 1] : [], K);
    if (heldK.size === K || heldE.size === E || heldV.size === V) {
      throw new HeadsplatError(`${FN}: the held-out identities / expressions / views (${[...heldK]} / ${[...heldE]} / ${[...heldV]}) leave no training frame for K = ${K}, E = ${E}, V = ${V}`);
    }
    this.model = o.model ?? createSyntheticFlame();
    const model = this.model;
    if (!model.uv || !model.info) dataFail(FN, 'options.model', 'a SyntheticFlame (from createSyntheticFlame: needs uv and info)', Object.keys(model));
    this.gpu = o.device ? new HeadRendererWebGPU(o.device) : null;
    this.topology = buildEdgeTopology(model.faces, model.numVertices);

    const rng = new SeededRandom(seed);
    const samples = uvSamplesFor(model, texSize);
    for (let k = 0; k < K; k++) {
      const shape = Float32Array.from({ length: model.numShape }, () => shapeScale * rng.normal());
      this.subjects.push({ name: `id${String(k).padStart(3, '0')}`, shape });
      const app = drawAppearance(rng);
      this.appearance.push(app);
      this.albedo.push(paintAlbedo(model, app, texSize, samples));
    }
    this.expressionList = buildExpressions(E, model.numExpression, rng);
    const head = headFrame(model);
    const W = this.width, H = this.height;
    const studio: CaptureLight = { direction: normalize3([-0.35, 0.45, 0.82]), ambient: 0.45, diffuse: 0.6 };
    const dome = domePositions(V).map(([az, el]) => framingCamera(head, az, el, focalMul * W, W, H));
    const mono = framingCamera(head, 0, 5 * DEG, focalMul * W, W, H, 0.75);

    for (let k = 0; k < K; k++) {
      for (let e = 0; e < E; e++) {
        for (let v = 0; v < V; v++) {
          const ex = this.expressionList[e];
          const flame: FlameFrameParams = { shape: this.subjects[k].shape, expression: ex.expression, jawPose: ex.jawPose };
          let camera: CaptureCamera, light = studio, cameraIndex = v, timestep = e;
          if (rig === 'dome') camera = dome[v];
          else if (rig === 'monocular') {
            camera = mono;
            cameraIndex = 0;
            timestep = e * V + v;
            const s = V > 1 ? (2 * v) / (V - 1) - 1 : 0;
            flame.rotation = [0.12 * Math.sin(Math.PI * s), 0.5 * s, 0];
          } else {
            const w = this.wildFrame(rng, head, W, H);
            camera = w.camera;
            light = w.light;
            flame.rotation = w.rotation;
            flame.eyesPose = w.eyes;
          }
          // Parameters are float32, as tracking files store them, so that written sets read back identical.
          for (const key of ['jawPose', 'rotation', 'eyesPose'] as const) if (flame[key]) flame[key] = Float32Array.from(flame[key]!);
          const split: SplitName = heldK.has(k) ? 'heldOutIdentity' : heldE.has(e) ? 'heldOutExpression' : heldV.has(v) ? 'heldOutView' : 'train';
          this.splits[split].push(this.frames.length);
          this.frames.push({ subject: k, cameraIndex, timestep, expressionIndex: e, viewIndex: v, camera, flame, light, split });
        }
      }
    }
    this.meta = {
      generator: 'synthesizeCaptures', rig, seed, width: W, height: H, identities: K, expressions: E, views: V,
      background: this.background, textureSize: texSize, shapeScale, focal: focalMul,
      heldOutViews: [...heldV], heldOutExpressions: [...heldE], heldOutIdentities: [...heldK],
      flameModel: o.model ? 'user-supplied SyntheticFlame' : 'createSyntheticFlame() (seed 0, default options)',
      renderer: o.device ? 'mesh-raster WebGPU' : 'mesh-raster CPU reference',
    };
  }

  private wildFrame(rng: SeededRandom, head: HeadFrame, W: number, H: number) {
    const az = rng.uniform(-55, 55) * DEG, el = rng.uniform(-10, 25) * DEG;
    const focal = rng.uniform(1.2, 3.5) * W;
    const camera = framingCamera(head, az, el, focal, W, H, rng.uniform(0.65, 0.9));
    const la = az + rng.uniform(-60, 60) * DEG, le = rng.uniform(-10, 50) * DEG;
    const ambient = rng.uniform(0.2, 0.5);
    const light: CaptureLight = { direction: viewDirection(la, le), ambient, diffuse: rng.uniform(0.5, 1) * (1 - ambient) + 0.1 };
    const rotation: [number, number, number] = [rng.uniform(-0.15, 0.15), rng.uniform(-0.3, 0.3), rng.uniform(-0.1, 0.1)];
    const gx = rng.uniform(-0.15, 0.15), gy = rng.uniform(-0.2, 0.2);
    return { camera, light, rotation, eyes: [gx, gy, 0, gx, gy, 0] };
  }

  /** The posed mesh of frame i (cached for consecutive frames of one pose). */
  mesh(i: number): HeadMeshInput {
    const f = this.frames[i];
    const key = `${f.subject}/${f.expressionIndex}/${Array.from(f.flame.rotation ?? []).join(',')}/${Array.from(f.flame.eyesPose ?? []).join(',')}`;
    if (this.cache?.key === key) return this.cache.mesh;
    const out = flameForwardCpu(this.model, f.flame);
    const mesh: HeadMeshInput = {
      positions: out.vertices, normals: vertexNormals(out.vertices, this.model.faces), faces: this.model.faces,
      uvs: this.model.uv.uvs, faceUvs: this.model.uv.faceUvs, topology: this.topology,
    };
    this.cache = { key, mesh };
    return mesh;
  }

  /** Renders frame i: RGB (H, W, 3) and mask (H, W). */
  async render(i: number): Promise<RenderedImage> {
    if (!Number.isInteger(i) || i < 0 || i >= this.frames.length) dataFail('CaptureSynthesizer.render', 'i', `a frame index in [0, ${this.frames.length})`, i);
    const f = this.frames[i];
    const mesh = this.mesh(i);
    const tex = this.albedo[f.subject];
    if (this.gpu) return this.gpu.render(mesh, f.camera, tex, f.light, this.background);
    return renderHeadCpu(mesh, f.camera, tex, f.light, this.background);
  }
}

/** A frame whose images are held in memory; `rgb()` / `mask()` return copies. */
export function inMemoryFrame(p: PlannedFrame, width: number, height: number, img: RenderedImage): CaptureFrame {
  return {
    subject: p.subject, cameraIndex: p.cameraIndex, timestep: p.timestep, camera: p.camera, flame: p.flame,
    width, height, expressionIndex: p.expressionIndex, viewIndex: p.viewIndex, light: p.light,
    rgb: async () => img.rgb.slice(),
    mask: async () => img.mask.slice(),
  };
}

/**
 * Synthesises a capture set in memory (see `SynthesizeOptions`). Frames are ordered identity,
 * then expression, then view; `splits` puts each frame in exactly one split, by precedence
 * held-out identity > held-out expression > held-out view > train.
 * @example const set = await synthesizeCaptures({ identities: 4, expressions: 6, views: 4, size: 64 });
 */
export async function synthesizeCaptures(options: SynthesizeOptions = {}): Promise<SyntheticCaptureSet> {
  const gen = new CaptureSynthesizer(options);
  const frames: CaptureFrame[] = [];
  for (let i = 0; i < gen.frames.length; i++) {
    frames.push(inMemoryFrame(gen.frames[i], gen.width, gen.height, await gen.render(i)));
    options.onProgress?.(i + 1, gen.frames.length);
  }
  return { subjects: gen.subjects, frames, splits: gen.splits, meta: gen.meta, model: gen.model, albedo: gen.albedo };
}
