/**
 * @headsplat/models-headgap: HeadGAP (2024) — a part-based Gaussian head prior learned over
 * many identities, few-shot personalisation (codebook inversion, then fine-tuning) and
 * animation with FLAME parameters.
 */
export { DEFAULT_HEADGAP_CONFIG, DEFAULT_LOSS_WEIGHTS, resolveConfig, type HeadGapConfig, type HeadGapLossWeights } from './config.js';
export { buildPointCloud, type PointCloud } from './point-cloud.js';
export { frameGeometry, disposeGeometry, matrixToQuaternion, projectPoints, type FrameGeometry } from './frame-geometry.js';
export { HeadGapModel, M1_OUT, type HeadGapGaussians, type HeadGapRender, type HeadGapModelOptions } from './headgap-model.js';
export { headgapLoss, photometric, type LossTargets, type LossTerms } from './losses.js';
export { prepareFrames, prepareView, disposeFrames, toHostImage, type PreparedFrame } from './frames.js';
export { trainPrior, evaluate, renderImage, lossStep, frameSampler, type PriorTrainingOptions, type TrainingHistory, type ImageMetrics, type StepCallback, type StepInfo } from './train.js';
export { orbitCamera, centroid } from './cameras.js';
export { savePrior, loadPrior, cloneModel } from './checkpoint.js';
export { personalize, fitFromScratch, animate, type PersonalAvatar, type PersonalizeOptions, type PersonalizeResult } from './personalize.js';
export { SHIPPED_PRIOR_CAPTURES, SHIPPED_PRIOR_CONFIG, shippedPriorUrl } from './shipped-prior.js';
