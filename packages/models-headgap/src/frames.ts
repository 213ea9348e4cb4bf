/**
 * Training / evaluation frames: capture frames turned into the model's per-frame geometry and
 * target tensors, computed once and reused every step.
 */
import { HeadsplatError, tensor, type Tensor } from '@headsplat/core';
import type { CaptureFrame } from '@headsplat/data';
import type { FlameFrameParams } from '@headsplat/flame';
import type { Camera } from '@headsplat/splat-raster';
import { disposeGeometry, frameGeometry, type FrameGeometry } from './frame-geometry.js';
import type { HeadGapModel } from './headgap-model.js';
import type { LossTargets } from './losses.js';

export interface PreparedFrame extends LossTargets {
  geom: FrameGeometry;
  camera: Camera;
  flame: FlameFrameParams;
  /** Codebook row of the frame's identity (prior learning), or -1. */
  identity: number;
  /** (H, W, 3) target on the host, for metrics. */
  hostRgb: Float32Array;
  /** (H, W) mask on the host. */
  hostMask: Float32Array;
}

function toNchw(hwc: Float32Array, H: number, W: number, C: number): Float32Array {
  const out = new Float32Array(C * H * W);
  for (let i = 0; i < H * W; i++) for (let c = 0; c < C; c++) out[c * H * W + i] = hwc[i * C + c];
  return out;
}

/**
 * Prepares capture frames for `model`. `identity(frame)` gives the codebook row (default: -1,
 * personalisation frames). Image sides must be multiples of 2^refinerDepth.
 */
export async function prepareFrames(model: HeadGapModel, frames: readonly CaptureFrame[], identity: (f: CaptureFrame) => number = () => -1): Promise<PreparedFrame[]> {
  const m = 2 ** model.config.refinerDepth;
  const device = model.home;
  const out: PreparedFrame[] = [];
  for (const f of frames) {
    const H = f.height, W = f.width;
    if (H % m !== 0 || W % m !== 0) throw new HeadsplatError(`prepareFrames: frame size must be a multiple of ${m} (2^refinerDepth), got ${W}x${H}`);
    const id = identity(f);
    if (!Number.isInteger(id) || id < -1 || id >= model.config.identities) throw new HeadsplatError(`prepareFrames: identity(frame) must be -1 or an integer in [0, ${model.config.identities}), got ${id} for subject ${f.subject}`);
    const rgb = await f.rgb(), mask = await f.mask();
    const geom = frameGeometry(model.flame, model.cloud, f.flame, f.camera, { dynamicScale: model.config.dynamicScale, device });
    let mouthPixels = 0;
    for (const v of geom.mouthBox) mouthPixels += v;
    out.push({
      geom, camera: f.camera, flame: f.flame, identity: id, hostRgb: rgb, hostMask: mask,
      rgb: tensor(toNchw(rgb, H, W, 3), { shape: [1, 3, H, W], device }),
      mask: tensor(mask, { shape: [1, 1, H, W], device }),
      mouth: mouthPixels > 0 ? tensor(geom.mouthBox, { shape: [1, 1, H, W], device }) : undefined,
      mouthPixels,
    });
  }
  return out;
}

/** Prepares a frame without a target image (a view to render or regularise against). */
export function prepareView(model: HeadGapModel, flame: FlameFrameParams, camera: Camera): { geom: FrameGeometry; camera: Camera } {
  return { geom: frameGeometry(model.flame, model.cloud, flame, camera, { dynamicScale: model.config.dynamicScale, device: model.home }), camera };
}

/** Releases a prepared frame's tensors. */
export function disposeFrames(frames: readonly PreparedFrame[]): void {
  for (const f of frames) {
    disposeGeometry(f.geom);
    f.rgb.dispose();
    f.mask.dispose();
    f.mouth?.dispose();
  }
}

/** Converts a (1, 3, H, W) tensor to host (H, W, 3), clamped to [0, 1]. */
export async function toHostImage(t: Tensor): Promise<Float32Array> {
  const [, C, H, W] = t.shape;
  const d = await t.data();
  const out = new Float32Array(H * W * C);
  for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) out[i * C + c] = Math.min(1, Math.max(0, d[c * H * W + i]));
  return out;
}
