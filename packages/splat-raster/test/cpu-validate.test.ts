/**
 * Input validation (src/validate.ts) as seen through renderCpu / renderCpuBackward: each
 * bad input throws a SplatRasterInputError naming the function, argument, expected and
 * actual value.
 */

import { describe, expect, it } from 'vitest';
import { renderCpu, renderCpuBackward } from '../src/cpu/index.js';
import type { Camera, GaussianScene, RenderOptions } from '../src/types.js';
import { SplatRasterInputError } from '../src/validate.js';
import { makeRng, randomScene, smallCamera } from './cpu-util.js';

function scene(o: Partial<GaussianScene> = {}): GaussianScene {
  return { ...randomScene(makeRng(1), { n: 2 }), ...o };
}

function expectError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SplatRasterInputError);
  expect((caught as Error).message).toMatch(message);
}

describe('renderCpu rejects bad input with a clear error', () => {
  const cam = smallCamera();
  const cases: [string, () => unknown, RegExp][] = [
    ['means not divisible by 3', () => renderCpu(scene({ means: new Float64Array(7) }), cam), /^renderCpu: scene\.means: expected a length divisible by 3, got 7$/],
    ['quats of the wrong length', () => renderCpu(scene({ quats: new Float32Array(7) }), cam), /^renderCpu: scene\.quats: expected length 4 \* N = 8, got 7$/],
    ['scales of the wrong length', () => renderCpu(scene({ scales: new Float32Array(3) }), cam), /scene\.scales: expected length 3 \* N = 6, got 3/],
    ['opacities of the wrong length', () => renderCpu(scene({ opacities: new Float32Array(3) }), cam), /scene\.opacities: expected length N = 2, got 3/],
    ['RGB colours of the wrong length', () => renderCpu(scene({ colors: new Float32Array(5) }), cam), /scene\.colors: expected length 3 \* N \(RGB\) = 6 .*got 5/],
    ['SH colours of the wrong length for the degree', () => renderCpu(scene({ shDegree: 2, colors: new Float32Array(24) }), cam), /scene\.colors: expected length 3 \* \(shDegree \+ 1\)\^2 \* N = 27 \* 2 = 54.*got 24/],
    ['a bad SH degree', () => renderCpu(scene({ shDegree: 4 as 3 }), cam), /scene\.shDegree: expected 0, 1, 2, 3 or undefined \(RGB\), got 4/],
    ['NaN in means', () => renderCpu(scene({ means: Float64Array.from([0, 0, 2, 0, NaN, 3]) }), cam), /scene\.means: expected finite values, got NaN at index 4/],
    ['Infinity in colours', () => renderCpu(scene({ colors: Float64Array.from([0, 0, 0, 0, 0, Infinity]) }), cam), /scene\.colors: expected finite values, got Infinity at index 5/],
    ['NaN in quats', () => renderCpu(scene({ quats: Float64Array.from([1, 0, 0, 0, NaN, 0, 0, 0]) }), cam), /scene\.quats: expected finite values, got NaN at index 4/],
    ['a zero quaternion', () => renderCpu(scene({ quats: Float64Array.from([1, 0, 0, 0, 0, 0, 0, 0]) }), cam), /scene\.quats: expected non-zero quaternions, got a zero quaternion at Gaussian 1/],
    ['negative (log-space) scales', () => renderCpu(scene({ scales: Float64Array.from([0.1, 0.1, 0.1, -2, 0.1, 0.1]) }), cam), /scene\.scales: expected activated scales >= 0 \(not log-scales\), got -2 at index 3/],
    ['opacity logits', () => renderCpu(scene({ opacities: Float64Array.from([0.5, 2.3]) }), cam), /scene\.opacities: expected activated opacities in \[0, 1\] \(not logits\), got 2\.3 at index 1/],
    ['features without featureDim', () => renderCpu(scene({ features: new Float32Array(6) }), cam), /scene\.featureDim: expected a positive integer, got undefined/],
    ['featureDim without features', () => renderCpu(scene({ featureDim: 3 }), cam), /scene\.features: expected an \(N, 3\) array since featureDim is set, got undefined/],
    ['a featureDim mismatch', () => renderCpu(scene({ features: new Float32Array(6), featureDim: 4 }), cam), /scene\.features: expected length featureDim \* N = 4 \* 2 = 8, got 6/],
    ['NaN in the view matrix', () => renderCpu(scene(), { ...cam, viewMatrix: Float64Array.from({ length: 16 }, (_, i) => (i === 13 ? NaN : i % 5 === 0 ? 1 : 0)) }), /camera\.viewMatrix: expected finite values, got NaN at index 13/],
    ['a view matrix of the wrong length', () => renderCpu(scene(), { ...cam, viewMatrix: [1, 0, 0] }), /camera\.viewMatrix: expected length 16, got 3/],
    ['a singular view rotation', () => renderCpu(scene(), { ...cam, viewMatrix: new Float64Array(16) }), /camera\.viewMatrix: expected an invertible rotation block/],
    ['a zero-size image', () => renderCpu(scene(), { ...cam, width: 0 }), /^renderCpu: camera\.width: expected a positive integer, got 0$/],
    ['a fractional image height', () => renderCpu(scene(), { ...cam, height: 10.5 }), /camera\.height: expected a positive integer, got 10\.5/],
    ['a non-positive focal length', () => renderCpu(scene(), { ...cam, fx: 0 }), /^renderCpu: camera\.fx: expected a positive focal length in pixels, got 0$/],
    ['a negative fy', () => renderCpu(scene(), { ...cam, fy: -3 }), /camera\.fy: expected a positive focal length in pixels, got -3/],
    ['an infinite principal point', () => renderCpu(scene(), { ...cam, cx: Infinity }), /camera\.cx: expected a finite number, got Infinity/],
    ['far <= near', () => renderCpu(scene(), { ...cam, near: 2, far: 1 } as Camera), /camera\.far: expected far > near \(2\), got 1/],
    ['a zero tile size', () => renderCpu(scene(), cam, { tileSize: 0 }), /options\.tileSize: expected a positive integer, got 0/],
    ['a NaN background', () => renderCpu(scene(), cam, { background: [0, NaN, 0] }), /options\.background: expected finite values, got NaN at index 1/],
    ['a feature background of the wrong length', () => renderCpu(scene({ features: new Float32Array(6), featureDim: 3 }), cam, { featureBackground: [1, 2] } as RenderOptions), /options\.featureBackground: expected length featureDim = 3, got 2/],
    ['a negative eps2d', () => renderCpu(scene(), cam, { eps2d: -0.1 }), /options\.eps2d: expected eps2d >= 0, got -0\.1/],
  ];
  for (const [name, fn, message] of cases) {
    it(`for ${name}`, () => expectError(fn, message));
  }

  it('names the argument, the expectation and the value in the error fields', () => {
    try {
      renderCpu(scene(), { ...smallCamera(), fx: -1 });
      expect.unreachable();
    } catch (e) {
      const err = e as SplatRasterInputError;
      expect([err.fn, err.argument, err.expected, err.actual]).toEqual(['renderCpu', 'camera.fx', 'a positive focal length in pixels', '-1']);
    }
  });
});

describe('renderCpuBackward rejects bad upstream gradients', () => {
  const { state } = renderCpu(scene(), smallCamera());
  it('of the wrong image size', () => {
    expectError(() => renderCpuBackward(state, { rgb: new Float32Array(10) }), /^renderCpuBackward: gradOutputs\.rgb: expected length H \* W \* 3 = 576, got 10$/);
  });
  it('with NaN', () => {
    const alpha = new Float32Array(192);
    alpha[7] = NaN;
    expectError(() => renderCpuBackward(state, { alpha }), /gradOutputs\.alpha: expected finite values, got NaN at index 7/);
  });
  it('for features the scene does not have', () => {
    expectError(() => renderCpuBackward(state, { features: new Float32Array(192) }), /gradOutputs\.features: expected undefined \(the scene has no features\)/);
  });
});
