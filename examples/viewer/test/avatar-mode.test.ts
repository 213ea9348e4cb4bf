/**
 * The Avatar mode's model side in Node (no browser): the shipped HeadGAP prior loads from its
 * bytes, renders a head (not a constant image) whose mouth region changes when the jaw opens,
 * identities differ, and bytes that are not a HeadGAP checkpoint give a clear error.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readSafetensors, writeSafetensors } from '@headsplat/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AvatarCheckpointError, HeadGapAvatar, MEAN_IDENTITY, NEUTRAL_AVATAR_CONTROLS, type AvatarFrame } from '../src/headgap-avatar.js';
import { SHIPPED_PRIOR_URL } from '../src/shipped-prior-url.js';

/** Mean absolute RGB difference of two frames over the pixels where `mask` is set (all when omitted). */
function meanDiff(a: AvatarFrame, b: AvatarFrame, mask?: (i: number) => boolean): number {
  let s = 0, n = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    if (mask && !mask(i)) continue;
    for (let k = 0; k < 3; k++) s += Math.abs(a.rgb[i * 3 + k] - b.rgb[i * 3 + k]);
    n++;
  }
  return s / (3 * n);
}

describe('HeadGAP avatar (Avatar mode, Node side)', () => {
  let bytes: Uint8Array;
  let avatar: HeadGapAvatar;
  let neutral: AvatarFrame;
  beforeAll(async () => {
    bytes = new Uint8Array(await readFile(fileURLToPath(SHIPPED_PRIOR_URL)));
    avatar = HeadGapAvatar.load(bytes);
    neutral = await avatar.render(NEUTRAL_AVATAR_CONTROLS);
  });

  it('loads the shipped prior (4 identities) and renders a 64x64 head on the white background', () => {
    expect(avatar.identities).toBe(4);
    expect([neutral.width, neutral.height]).toEqual([64, 64]);
    expect(neutral.rgb.length).toBe(64 * 64 * 3);
    // Corners: the model's white background; centre: skin (red over blue, darker than white).
    for (const [x, y] of [[1, 1], [62, 1]]) for (let k = 0; k < 3; k++) expect(neutral.rgb[(y * 64 + x) * 3 + k]).toBeGreaterThan(0.95);
    const c = neutral.rgb.slice((32 * 64 + 32) * 3, (32 * 64 + 32) * 3 + 3);
    expect(c[0] - c[2], `centre ${Array.from(c)}`).toBeGreaterThan(0.1);
    expect(c[1], `centre ${Array.from(c)}`).toBeLessThan(0.8);
    // Not constant: the spread of the red channel over the image.
    let lo = 1, hi = 0;
    for (let i = 0; i < 64 * 64; i++) { lo = Math.min(lo, neutral.rgb[i * 3]); hi = Math.max(hi, neutral.rgb[i * 3]); }
    expect(hi - lo).toBeGreaterThan(0.4);
  });

  it('opening the jaw changes the mouth region far more than the forehead', async () => {
    const open = await avatar.render({ ...NEUTRAL_AVATAR_CONTROLS, jawOpen: 1, jawPose: 0.28 });
    const W = open.width;
    // The union of both frames' projected mouth boxes (the lips move down as the jaw opens).
    const inMouth = (i: number) => neutral.mouthBox[i] > 0 || open.mouthBox[i] > 0;
    const mouthCount = Array.from({ length: W * open.height }, (_, i) => i).filter(inMouth).length;
    expect(mouthCount).toBeGreaterThan(50);
    const mouth = meanDiff(neutral, open, inMouth);
    // Upper quarter of the image: hair and forehead, which an expression of the mouth leaves alone.
    const forehead = meanDiff(neutral, open, (i) => Math.floor(i / W) < open.height / 4);
    expect(mouth, `mean |diff| in the mouth box ${mouth.toFixed(4)}, forehead ${forehead.toFixed(4)}`).toBeGreaterThan(0.03);
    expect(mouth).toBeGreaterThan(5 * forehead);
  });

  it('draws different identities (codebook rows) and the mean code differently', async () => {
    const other = await avatar.render({ ...NEUTRAL_AVATAR_CONTROLS, identity: 2 });
    const mean = await avatar.render({ ...NEUTRAL_AVATAR_CONTROLS, identity: MEAN_IDENTITY });
    expect(meanDiff(neutral, other)).toBeGreaterThan(0.01);
    expect(meanDiff(neutral, mean)).toBeGreaterThan(0.005);
    await expect(avatar.render({ ...NEUTRAL_AVATAR_CONTROLS, identity: 4 })).rejects.toThrow(/controls\.identity must be -1 \(mean code\) or an integer in \[0, 4\), got 4/);
  });

  it("draws identity i with the checkpoint's identityShapes[i] when it stores them", () => {
    // The shipped prior predates identityShapes: its identities take the capture set's shapes.
    const shipped = avatar.shapeOf(1);
    expect(shipped.some((v) => v !== 0)).toBe(true);
    const { tensors, metadata } = readSafetensors(bytes);
    const config = JSON.parse(metadata.config!);
    config.identityShapes = [[0.5, -0.25], null, null, null];
    const withShapes = HeadGapAvatar.load(writeSafetensors(tensors, { ...metadata, config: JSON.stringify(config) }));
    const s0 = withShapes.shapeOf(0);
    expect(Array.from(s0.slice(0, 3))).toEqual([0.5, -0.25, 0]);
    expect(s0.slice(2).every((v) => v === 0)).toBe(true);
    expect(withShapes.shapeOf(1).every((v) => v === 0)).toBe(true); // unknown: the template shape
  });

  it('refuses bytes that are not a HeadGAP checkpoint, naming what was expected', () => {
    const junk = new TextEncoder().encode('ply\nformat binary_little_endian 1.0\nend_header\n');
    expect(() => HeadGapAvatar.load(junk)).toThrow(AvatarCheckpointError);
    expect(() => HeadGapAvatar.load(junk)).toThrow(/Not a HeadGAP checkpoint: expected a \.safetensors file written by savePrior/);
    // A valid safetensors file of another kind: the prior's bytes with its 'model' metadata renamed.
    const text = new TextDecoder('latin1').decode(bytes.subarray(0, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))));
    expect(text).toContain('headgap-prior/1');
    const other = bytes.slice();
    const at = text.indexOf('headgap-prior/1');
    other.set(new TextEncoder().encode('pointavatar/01'.padEnd(15, '1')), at);
    expect(() => HeadGapAvatar.load(other)).toThrow(/Not a HeadGAP checkpoint.*metadata 'model'/);
    expect(() => HeadGapAvatar.load(bytes, { size: 63 })).toThrow(/options\.size must be a multiple of 2/);
  });
});
