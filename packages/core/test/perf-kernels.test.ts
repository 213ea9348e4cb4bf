/**
 * The llvmpipe fast paths (subgroup GEMM of matmul-gemm-sg.ts, subgroup conv of conv-sg.ts)
 * against the CPU oracle, at sizes that select the large register tile, with odd shapes (row,
 * column and K tails, unaligned strides) and the linear-layer Q copy. On another adapter the
 * same products run the portable kernels, so the assertions hold everywhere.
 */
import { expect, it } from 'vitest';
import { conv2d, getBackend, matmul, rand, type Tensor, type WebGPUBackend } from '../src/index.js';
import { chooseSgTile, sgLanes } from '../src/backends/webgpu/kernels/matmul-gemm-sg.js';
import { describeBackends, expectClose, values } from './harness.js';

const r = (shape: number[], seed: number, device: 'cpu' | 'webgpu'): Tensor => rand(shape, { seed, device, low: -1, high: 1 });

/** The same product on the CPU backend (float32 oracle). */
async function onCpu(f: (d: 'cpu') => Tensor): Promise<number[]> {
  return values(f('cpu'));
}

describeBackends('llvmpipe fast kernels', ({ device }) => {
  it('uses the subgroup kernels on lavapipe (the device requests the subgroups feature)', () => {
    const dev = (getBackend('webgpu') as WebGPUBackend).device;
    const info = (dev as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    if (/llvmpipe/i.test(info?.description ?? '')) {
      expect(sgLanes(dev)).toBe(8);
      // The large tile needs a big enough product; the sizes below are chosen to reach it.
      expect(chooseSgTile(70, 130, 517, 8).TM).toBe(16);
      expect(chooseSgTile(64, 128, 512, 8)).toEqual({ TM: 16, C4: 2, S: 8 });
    } else {
      expect(sgLanes(dev)).toBe(0);
    }
  });

  it('multiplies with the large tile at odd M, N, K (row, column and k tails, scalar loads)', async () => {
    const [M, K, N] = [70, 517, 130];
    const want = await onCpu((d) => matmul(r([M, K], 1, d), r([K, N], 2, d)));
    const got = await values(matmul(r([M, K], 1, device), r([K, N], 2, device)));
    expectClose(got, want, 2e-4, 1e-4);
  });

  it('multiplies with the large tile on aligned shapes, transposed A, and a broadcast batch', async () => {
    const [M, K, N] = [64, 512, 128];
    let want = await onCpu((d) => matmul(r([M, K], 3, d), r([K, N], 4, d)));
    expectClose(await values(matmul(r([M, K], 3, device), r([K, N], 4, device))), want, 2e-4, 1e-4);
    want = await onCpu((d) => matmul(r([K, M], 5, d), r([K, N], 6, d), { transposeA: true }));
    expectClose(await values(matmul(r([K, M], 5, device), r([K, N], 6, device), { transposeA: true })), want, 2e-4, 1e-4);
    want = await onCpu((d) => matmul(r([2, M, K], 7, d), r([K, N], 8, d)));
    expectClose(await values(matmul(r([2, M, K], 7, device), r([K, N], 8, device))), want, 2e-4, 1e-4);
  });

  it('multiplies by a transposed weight (x Wᵀ) through the contiguous copy of Wᵀ', async () => {
    const [M, K, N] = [520, 64, 128];
    const want = await onCpu((d) => matmul(r([M, K], 9, d), r([N, K], 10, d), { transposeB: true }));
    const got = await values(matmul(r([M, K], 9, device), r([N, K], 10, device), { transposeB: true }));
    expectClose(got, want, 1e-4, 1e-4);
  });

  it('convolves with the subgroup kernel: stride, padding, dilation, groups, bias, K tail', async () => {
    // groups 2, 3 input channels per group, 3x3: K = 27 (not a multiple of 4: scalar weight loads + tail).
    const args = { stride: [2, 1] as [number, number], padding: [1, 2] as [number, number], dilation: [1, 2] as [number, number], groups: 2 };
    const x = (d: 'cpu' | 'webgpu') => r([2, 6, 13, 11], 11, d);
    const w = (d: 'cpu' | 'webgpu') => r([10, 3, 3, 3], 12, d);
    const b = (d: 'cpu' | 'webgpu') => r([10], 13, d);
    const want = await onCpu((d) => conv2d(x(d), w(d), { ...args, bias: b(d) }));
    const got = conv2d(x(device), w(device), { ...args, bias: b(device) });
    expectClose(await values(got), want, 1e-4, 1e-4);
  });

  it('convolves with the large tile (K multiple of 4, vec4 weight loads) and matches the CPU', async () => {
    // 16 channels x 3x3 = K 144, 24 output channels, 40x40 pixels: M*N*K above the large-tile cut-off.
    const x = (d: 'cpu' | 'webgpu') => r([1, 16, 40, 40], 14, d);
    const w = (d: 'cpu' | 'webgpu') => r([24, 16, 3, 3], 15, d);
    const want = await onCpu((d) => conv2d(x(d), w(d), { padding: 1 }));
    const got = conv2d(x(device), w(device), { padding: 1 });
    expectClose(await values(got), want, 1e-4, 1e-4);
  });
}, ['webgpu']);
