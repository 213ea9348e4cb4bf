/**
 * @headsplat/data: synthetic head captures (multi-view dome, monocular, in-the-wild), dataset
 * readers and writers (NeRF-style transforms.json with per-frame FLAME .npz; IMavatar /
 * PointAvatar flame_params.json), a Dataset interface and image metrics.
 */
export type { CaptureCamera, CaptureFrame, CaptureLight, CaptureSet, CaptureSubject, SplitName } from './types.js';
export {
  synthesizeCaptures, CaptureSynthesizer, RIG_NAMES, inMemoryFrame,
  type SynthesizeOptions, type SyntheticCaptureSet, type PlannedFrame, type RigName,
} from './synth/synthesize.js';
export type { AlbedoTexture, HeadAppearance } from './synth/albedo.js';
export { headFrame, framingCamera, type HeadFrame } from './synth/rigs.js';
export {
  lookAtViewMatrix, viewMatrixToNerfTransform, nerfTransformToViewMatrix, cameraCenter,
} from './camera-math.js';
export { writeTransformsDataset, readTransformsDataset, type WriteDatasetOptions, type ReadDatasetOptions } from './io/transforms-layout.js';
export {
  writeMonocularDataset, readMonocularDataset, type WriteMonocularOptions, type ReadMonocularOptions, type WorldMatConvention,
} from './io/monocular-layout.js';
export { arrayDataset, captureDataset, loadBatch, type Dataset, type BatchOptions } from './dataset.js';
export { psnr, type PsnrOptions } from './metrics/psnr.js';
export { ssim, gaussianWindow, type SsimOptions } from './metrics/ssim.js';
export { lpips, type LpipsOptions } from './metrics/lpips.js';
export type { ImageShape } from './metrics/image-args.js';
