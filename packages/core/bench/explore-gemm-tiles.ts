/**
 * Subgroup GEMM tiles on the MLP step's three product shapes and matmul 1024^3, A/B interleaved
 * in one process (not part of `pnpm bench`):
 *   pnpm exec tsx packages/core/bench/explore-gemm-tiles.ts [rows] [TMxC4 ...]
 * Each round runs every tile once per shape, back to back; printed per (shape, tile): the best
 * process CPU time / 2 and the median over rounds of its time over the first tile's in the same
 * round (the machine is shared: wall time would measure the neighbours, and a paired ratio
 * survives the neighbours' load changing between rounds).
 */
import { getSharedDevice } from '@headsplat/gpu';
import { initWebGPU, tensor, type Tensor } from '../src/index.js';
import { st } from '../src/backends/webgpu/index.js';
import { dispatchGemm, type GemmProblem } from '../src/backends/webgpu/kernels/matmul-gemm.js';
import { sgLanes, type SgTile } from '../src/backends/webgpu/kernels/matmul-gemm-sg.js';
import { randomArray } from './timing.js';

async function main(): Promise<void> {
  const h = await getSharedDevice();
  const backend = await initWebGPU({ device: h.device });
  const S = sgLanes(h.device);
  const R = Number(process.argv[2] ?? 65536);
  const tiles: SgTile[] = (process.argv.slice(3).length ? process.argv.slice(3) : ['16x2', '8x2', '16x1', '32x1', '24x1'])
    .map((s) => { const [TM, C4, KB] = s.split(/[xk]/).map(Number); return { TM, C4, S, ...(KB ? { KB: KB as 2 | 4 } : {}) }; });
  const t = (n: number[], seed: number): Tensor => tensor(randomArray(n[0] * n[1], seed), { shape: n, device: 'webgpu' });
  const x = t([R, 256], 1);
  const g = t([R, 256], 2);
  const w = t([256, 256], 3);
  const a = t([1024, 1024], 4);
  const b = t([1024, 1024], 5);
  const shapes: [string, GemmProblem, Tensor, Tensor, number][] = [
    ['fwd/dX rows x256x256', { M: R, N: 256, K: 256, sP: [256, 1], sQ: [256, 1], sD: [256, 1], batch: [], bP: [], bQ: [], bD: [] }, x, w, R * 256],
    ['dW 256x256 K=rows (P k-major)', { M: 256, N: 256, K: R, sP: [1, 256], sQ: [256, 1], sD: [256, 1], batch: [], bP: [], bQ: [], bD: [] }, g, x, 65536],
    ['matmul 1024^3', { M: 1024, N: 1024, K: 1024, sP: [1024, 1], sQ: [1024, 1], sD: [1024, 1], batch: [], bP: [], bQ: [], bD: [] }, a, b, 1 << 20],
  ];
  const best = new Map<string, number>();
  // Paired comparison: per round, each tile's time over the first tile's, on the same shape.
  const ratios = new Map<string, number[]>();
  for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
    for (const [name, p, P, Q, outSize] of shapes) {
      let first = 0;
      for (const tile of tiles) {
        const out = backend.createOutput('float32', outSize);
        const c0 = process.cpuUsage();
        dispatchGemm(backend, p, st(P), st(Q), out, tile);
        await backend.sync();
        const d = process.cpuUsage(c0);
        backend.free(out);
        const ms = (d.user + d.system) / 2000;
        const key = `${name.padEnd(32)} TM${tile.TM} C4${tile.C4} KB${tile.KB ?? 4}`;
        if (tile === tiles[0]) first = ms;
        if (round > 0) {
          best.set(key, Math.min(best.get(key) ?? Infinity, ms));
          ratios.set(key, [...(ratios.get(key) ?? []), ms / first]);
        }
      }
    }
  }
  for (const [k, ms] of best) {
    const shape = shapes.find(([n]) => k.startsWith(n))!;
    const gf = (2 * shape[1].M * shape[1].N * shape[1].K) / 1e9;
    const r = [...ratios.get(k)!].sort((x, y) => x - y);
    const med = r[Math.floor(r.length / 2)];
    console.log(`${k.padEnd(48)} ${ms.toFixed(1).padStart(8)} ms ${(gf / ms * 1e3).toFixed(2).padStart(7)} GFLOP/s  median time ratio to the first tile ${med.toFixed(3)}`);
  }
  process.exit(0);
}

void main();
