/**
 * Mixing devices is an error, never a silent copy: every op with several tensor inputs
 * throws an error that names the op (not the kernel behind it) when one input is on the
 * CPU and another on WebGPU.
 */
import { expect, it } from 'vitest';
import * as c from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { describeBackends } from './harness.js';

describeBackends('device mixing', () => {
  it('every multi-input op names itself and both devices', () => {
    const g = (s: number[]): Tensor => c.rand(s, { device: 'webgpu' });
    const h = (s: number[]): Tensor => c.rand(s);
    const i32 = (v: number[], device: 'cpu' | 'webgpu'): Tensor => c.tensor(v, { dtype: 'int32', device });
    const cases: [string, () => unknown][] = [
      ['add', () => c.add(g([2]), h([2]))],
      ['pow', () => c.pow(g([2]), h([2]))],
      ['atan2', () => c.atan2(g([3]), h([3]))],
      ['eq', () => c.eq(g([3]), h([3]))],
      ['matmul', () => c.matmul(g([2, 2]), h([2, 2]))],
      ['bmm', () => c.bmm(g([1, 2, 2]), h([1, 2, 2]))],
      ['linear', () => c.linear(g([2, 2]), h([2, 2]))],
      ['linear', () => c.linear(g([2, 2]), g([2, 2]), h([2]))],
      ['conv2d', () => c.conv2d(g([1, 1, 4, 4]), h([1, 1, 3, 3]))],
      ['conv2d', () => c.conv2d(g([1, 1, 4, 4]), g([1, 1, 3, 3]), { bias: h([1]) })],
      ['convTranspose2d', () => c.convTranspose2d(g([1, 1, 4, 4]), h([1, 1, 3, 3]))],
      ['gridSample', () => c.gridSample(g([1, 1, 4, 4]), h([1, 2, 2, 2]))],
      ['where', () => c.where(c.gt(g([2]), 0), g([2]), h([2]))],
      ['concat', () => c.concat([g([2]), h([2])])],
      ['stack', () => c.stack([g([2]), h([2])])],
      ['indexSelect', () => c.indexSelect(g([3]), 0, i32([0], 'cpu'))],
      ['indexAdd', () => c.indexAdd(g([3]), 0, i32([0], 'webgpu'), h([1]))],
      ['gather', () => c.gather(g([3]), 0, i32([0], 'cpu'))],
      ['scatterAdd', () => c.scatterAdd(g([3]), 0, i32([0], 'webgpu'), h([1]))],
      ['embedding', () => c.embedding(g([3, 2]), i32([0], 'cpu'))],
      ['take', () => c.take(g([3]), i32([0], 'cpu'))],
      ['cross', () => c.cross(g([3]), h([3]))],
      ['matmul3x3', () => c.matmul3x3(g([3, 3]), h([3, 3]))],
      ['applyMatrix', () => c.applyMatrix(g([3, 3]), h([3]))],
    ];
    for (const [name, f] of cases) {
      expect(f, name).toThrow(new RegExp(`^${name}: .*(same device|device 'webgpu', got 'cpu').*device=(cpu|webgpu)`));
    }
    expect(() => c.assign_(g([3]), h([3]))).toThrow(/^assign_: source must be on target's device 'webgpu', got 'cpu'/);
  });
}, ['webgpu']);
