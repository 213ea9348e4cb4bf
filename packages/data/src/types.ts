/**
 * Public data types of @headsplat/data: what a capture is, independent of where it came
 * from (the synthetic generator or a reader of an on-disk layout).
 *
 * Conventions are splat-raster's (OpenCV camera, x right, y down, z forward;
 * world-to-camera `viewMatrix` 4x4 column-major; pixel centres at +0.5; images row-major,
 * channel-last, float RGB in [0, 1]).
 */
import type { FlameFrameParams } from '@headsplat/flame';

/** A pinhole camera, structurally identical to splat-raster's `Camera`. */
export interface CaptureCamera {
  /** World-to-camera 4x4, column-major (16 values). */
  viewMatrix: Float32Array;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  width: number;
  height: number;
  near?: number;
  far?: number;
}

/** One image of one subject under one expression from one camera. */
export interface CaptureFrame {
  /** Subject index in `CaptureSet.subjects`. */
  subject: number;
  /** Camera index in `CaptureSet.cameras` (a rig position; monocular sets reuse index 0 with per-frame cameras). */
  cameraIndex: number;
  /** Time step / expression index within the subject's sequence. */
  timestep: number;
  camera: CaptureCamera;
  /** Tracked FLAME parameters of this frame (the generator's ground truth). */
  flame: FlameFrameParams;
  /** Image size. */
  width: number;
  height: number;
  /** (H, W, 3) in [0, 1]; decoded on first access by lazy readers. */
  rgb(): Promise<Float32Array>;
  /** (H, W) foreground mask in [0, 1]. */
  mask(): Promise<Float32Array>;
  /** Expression index of the frame in the generator's expression list (synthetic sets; optional). */
  expressionIndex?: number;
  /** View index: the camera of a dome / wild set, the head-pose index of a monocular set (optional). */
  viewIndex?: number;
  /** Lighting the frame was rendered with (synthetic sets; optional). */
  light?: CaptureLight;
}

/** Lambert + ambient lighting: colour = albedo * (ambient + diffuse * max(0, n · direction)). */
export interface CaptureLight {
  /** Unit vector towards the light, world frame. */
  direction: [number, number, number];
  ambient: number;
  diffuse: number;
}

export interface CaptureSubject {
  /** Stable name, e.g. 'id007'. */
  name: string;
  /** FLAME shape coefficients of this identity. */
  shape: Float32Array;
}

export type SplitName = 'train' | 'heldOutView' | 'heldOutExpression' | 'heldOutIdentity';

export interface CaptureSet {
  subjects: CaptureSubject[];
  frames: CaptureFrame[];
  /** Indices into `frames` per split. Every frame is in exactly one split. */
  splits: Record<SplitName, number[]>;
  /** Free-form description (rig, seed, resolution) written to disk with the set. */
  meta: Record<string, unknown>;
}
