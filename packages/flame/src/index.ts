/**
 * @headsplat/flame: the FLAME head model (loader, forward pass, landmarks), mesh utilities,
 * UV sampling, triangle binding, region masks, tracking-parameter IO and a synthetic
 * FLAME-format model.
 */
export * from './flame-model.js';
export type { FlameFrameParams } from './flame-params.js';
export { flameForwardCpu, type FlameCpuOutput, type FlameCpuOptions } from './flame-forward-cpu.js';
export { yawToContourBin, headYawDegrees, chooseLandmarks, interpolateOnFaces, type LandmarkChoice } from './landmark-selection.js';
export { rodrigues } from './rotation.js';
export { createSyntheticFlame, type SyntheticFlame, type SyntheticFlameInfo, type SyntheticFlameOptions } from './synthetic/create-synthetic-flame.js';
export { SYNTHETIC_EXPRESSIONS } from './synthetic/synthetic-blendshapes.js';
export { faceNormals, vertexNormals, faceAreas } from './mesh/normals.js';
export { loadFlameNpz, flameFromArrays, type LoadFlameOptions } from './load-flame.js';
export { writeFlameNpz, flameToArrays } from './write-flame.js';
export { triangleFrames, bindPoints, type TriangleFrames } from './mesh/triangle-frames.js';
export { sampleSurface, pointsFromBarycentric, type SurfaceSamples } from './mesh/barycentric-sampling.js';
export { sampleUvTexels, type UvTexelSamples } from './mesh/uv-sampling.js';
export { subdivideMidpoint, interpolateMidpoints, type TriMesh, type SubdividedMesh } from './mesh/subdivide.js';
export { parseObj, writeObj } from './mesh/obj.js';
export {
  FlameLayer, type FlameLayerOptions, type FlameTensorParams, type FlameForwardOptions, type FlameTensorOutput,
} from './tensor/flame-layer.js';
export { triangleFramesTensor, bindGaussians, type TriangleFramesTensor, type BoundGaussians } from './tensor/triangle-binding.js';
export { assignFaceParts, DEFAULT_FLAME_PARTS, type PartDefinition, type AssignPartsOptions, type PartAssignment } from './region-masks.js';
export { trackingFrame, type FlameTrackingSequence } from './tracking/tracking-sequence.js';
export { readTrackingNpz, writeTrackingNpz, trackingFromArrays } from './tracking/tracking-npz.js';
export { parseFlameParamsJson, writeFlameParamsJson, type FlameParamsJson, type FlameParamsJsonFrame } from './tracking/flame-params-json.js';
