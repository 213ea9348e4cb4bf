import { describe, expect, it } from 'vitest';
import {
  assignFaceParts, createSyntheticFlame, flameForwardCpu, parseFlameParamsJson, readTrackingNpz, trackingFrame,
  writeFlameParamsJson, writeTrackingNpz, type FlameTrackingSequence,
} from '../src/index.js';

const small = { rings: 16, segments: 20, eyeRings: 4, eyeSegments: 6 } as const;

describe('assignFaceParts', () => {
  it('gives every triangle of the synthetic head exactly one part, eyes to eyes, lips to mouth', () => {
    const m = createSyntheticFlame(small);
    const a = assignFaceParts(m.faces, m.numVertices, m.masks!);
    expect(a.names).toEqual(['eyes', 'mouth', 'nose', 'eye_region', 'ears', 'face', 'hair', 'neck', 'rest']);
    expect(a.faceParts.length).toBe(m.numFaces);
    expect(a.counts.reduce((x, y) => x + y, 0)).toBe(m.numFaces);
    for (let f = 0; f < m.numFaces; f++) {
      expect(a.faceParts[f]).toBeGreaterThanOrEqual(0);
      expect(m.info.faceChart[f] !== 0).toBe(a.faceParts[f] === 0); // eyeball faces <-> 'eyes'
    }
    for (const name of ['mouth', 'nose', 'face', 'hair', 'neck']) expect(a.counts[a.names.indexOf(name)], name).toBeGreaterThan(0);
  });

  it('applies the documented priority: face masks, then the first part with 2 of 3 vertices, then the fallback', () => {
    const faces = [0, 1, 2, 1, 2, 3, 3, 4, 5, 5, 6, 7];
    const masks = { a: [0, 1, 2, 3], b: [1, 2, 3, 4, 5] };
    const parts = [{ name: 'A', masks: ['a'] }, { name: 'B', masks: ['b'] }];
    const r = assignFaceParts(faces, 8, masks, { parts });
    expect(Array.from(r.faceParts)).toEqual([0, 0, 1, 2]);
    expect(Array.from(assignFaceParts(faces, 8, masks, { parts, minVertices: 3 }).faceParts)).toEqual([0, 0, 1, 2]);
    expect(Array.from(assignFaceParts(faces, 8, { a: [0, 1], b: [1, 2, 3, 4, 5] }, { parts, minVertices: 3 }).faceParts)).toEqual([2, 1, 1, 2]);
    expect(Array.from(assignFaceParts(faces, 8, masks, { parts, faceMasks: { B: [0] } }).faceParts)).toEqual([1, 0, 1, 2]);
    expect(() => assignFaceParts(faces, 8, { a: [9] }, { parts })).toThrow(/masks\.a must be vertex indices in \[0, 8\)/);
    expect(() => assignFaceParts(faces, 8, masks, { parts, fallback: 'A' })).toThrow(/options\.fallback/);
  });
});

function sequence(T: number, E: number): FlameTrackingSequence {
  const f = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * s) * 1000) / 1000);
  return {
    numFrames: T, numExpression: E, shape: f(7, 0.3), expr: f(T * E, 0.7), rotation: f(T * 3, 1.1), neckPose: f(T * 3, 1.3),
    jawPose: f(T * 3, 0.2), eyesPose: f(T * 6, 0.9), translation: f(T * 3, 0.4),
  };
}

describe('tracking parameters', () => {
  it('round-trips a sequence through .npz with the GaussianAvatars keys', () => {
    const seq = sequence(4, 5);
    expect(readTrackingNpz(writeTrackingNpz(seq))).toEqual(seq);
  });

  it('round-trips flame_params.json (IMavatar layout: pose = global, neck, jaw, eyes) and drives the model', () => {
    const seq = sequence(3, 5);
    const world = Float64Array.from([1, 0, 0, 0.1, 0, 1, 0, 0.2, 0, 0, 1, 4, 0, 0, 0, 1]);
    const text = writeFlameParamsJson(seq, [{ worldMat: world, filePath: './image/1' }], [1.2, 1.2, 0.5, 0.5]);
    const doc = JSON.parse(text);
    expect(doc.frames[0].pose.length).toBe(15);
    expect(doc.frames[0].world_mat.length).toBe(3);
    const back = parseFlameParamsJson(text);
    expect(back.sequence.expr).toEqual(seq.expr);
    expect(back.sequence.jawPose).toEqual(seq.jawPose);
    expect(back.sequence.eyesPose).toEqual(seq.eyesPose);
    expect(back.sequence.shape).toEqual(seq.shape);
    expect(back.frames[0].worldMat).toEqual(world);
    expect(back.intrinsics).toEqual([1.2, 1.2, 0.5, 0.5]);
    const m = createSyntheticFlame({ ...small, shapeComponents: 7, expressionComponents: 5 });
    const out = flameForwardCpu(m, trackingFrame(back.sequence, 2));
    expect(out.vertices.every(Number.isFinite)).toBe(true);
  });

  it('reads a hand-written IMavatar file with 4x4 transform matrices and names bad fields', () => {
    const frame = { file_path: './image/1', expression: [0.1, 0.2], pose: new Array(15).fill(0), transform_matrix: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] };
    const r = parseFlameParamsJson({ frames: [frame], shape_params: [0.5] });
    expect(r.frames[0].transformMatrix!.length).toBe(16);
    expect(() => parseFlameParamsJson({ frames: [{ ...frame, pose: [0, 0, 0] }] })).toThrow(/parseFlameParamsJson: frames\[0\]\.pose must be an array of 15 finite numbers/);
    expect(() => parseFlameParamsJson({ frames: [frame, { ...frame, expression: [1] }] })).toThrow(/frames\[1\]\.expression must be an array of 2 finite numbers/);
    expect(() => parseFlameParamsJson('{')).toThrow(/input must be valid JSON/);
    expect(() => parseFlameParamsJson({ frames: [] })).toThrow(/frames must be a non-empty array/);
  });
});
