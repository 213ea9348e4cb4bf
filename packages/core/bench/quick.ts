/**
 * Quick look at the WebGPU hot paths while tuning kernels (not part of `pnpm bench`):
 *   pnpm exec tsx packages/core/bench/quick.ts [matmul] [conv] [mlp] [full]
 * Prints the best of several runs as process CPU time / 2 (the wall time an idle 2-core
 * machine would see; this machine is shared, so wall time measures the neighbours too).
 */
import { getSharedDevice } from '@headsplat/gpu';
import { add, conv2d, div, initWebGPU, linear, matmul, mean, mul, noGrad, relu, sqrt, square, sub, tensor, tidy, type Tensor } from '../src/index.js';
import { benchMlp } from './bench-headsplat.js';
import { randomArray } from './timing.js';
import { sizes } from './workloads.js';

async function best(name: string, gflop: number, runs: number, fn: () => Promise<void>): Promise<void> {
  await fn();
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(c0);
    min = Math.min(min, (d.user + d.system) / 1000 / 2);
  }
  console.log(`${name.padEnd(34)} ${min.toFixed(1).padStart(8)} ms (cpu/2)${gflop ? `  ${((gflop / min) * 1e3).toFixed(2).padStart(7)} GFLOP/s` : ''}`);
}

async function main(): Promise<void> {
  const what = process.argv.slice(2);
  const h = await getSharedDevice();
  await initWebGPU({ device: h.device });
  const s = sizes(!what.includes('full'));
  const t = (n: number[], seed: number, scale = 1): Tensor => tensor(randomArray(n.reduce((a, b) => a * b, 1), seed, scale), { shape: n, device: 'webgpu' });
  if (what.includes('matmul')) {
    for (const n of [512, 1024]) {
      const a = t([n, n], 1);
      const b = t([n, n], 2);
      await best(`matmul ${n}`, (2 * n ** 3) / 1e9, 4, async () => {
        const c = matmul(a, b);
        await c.data();
        c.dispose();
      });
    }
  }
  if (what.includes('mlpmm')) {
    // The three products of one hidden layer of the MLP step (rows x 256 x 256).
    const R = s.mlp.rows;
    const h = t([R, 256], 5);
    const w = t([256, 256], 6, 0.1);
    const g = t([R, 256], 7);
    const gf = (2 * R * 256 * 256) / 1e9;
    const cases: [string, () => Tensor][] = [
      ['fwd h W^T', () => matmul(h, w, { transposeB: true })],
      ['dX = dY W', () => matmul(g, w)],
      ['dW = dY^T h', () => matmul(g, h, { transposeA: true })],
    ];
    for (const [name, f] of cases) {
      await best(name, gf, 3, async () => {
        const c = f();
        await c.data();
        c.dispose();
      });
    }
  }
  if (what.includes('conv')) {
    const c = s.conv;
    const x = t([c.n, c.c, c.h, c.w], 3);
    const w = t([c.o, c.c, c.k, c.k], 4, 0.1);
    await best('conv', (2 * c.n * c.o * c.h * c.w * c.c * c.k * c.k) / 1e9, 4, async () => {
      const y = conv2d(x, w, { padding: c.pad });
      await y.data();
      y.dispose();
    });
  }
  if (what.includes('parts')) {
    // Where one MLP step's time goes: forward, forward + backward, the Adam update.
    const m = s.mlp;
    const x = t([m.rows, m.dims[0]], 5);
    const y = t([m.rows, 1], 6);
    const params: Tensor[] = [];
    for (let i = 0; i + 1 < m.dims.length; i++) {
      params.push(tensor(randomArray(m.dims[i + 1] * m.dims[i], 10 + i, Math.sqrt(6 / m.dims[i])), { shape: [m.dims[i + 1], m.dims[i]], device: 'webgpu', requiresGrad: true }));
      params.push(tensor(new Float32Array(m.dims[i + 1]), { shape: [m.dims[i + 1]], device: 'webgpu', requiresGrad: true }));
    }
    const fwd = (): Tensor => {
      let h = x;
      for (let l = 0; l < params.length / 2; l++) {
        h = linear(h, params[2 * l], params[2 * l + 1]);
        if (l + 1 < params.length / 2) h = relu(h);
      }
      return mean(square(sub(h, y)));
    };
    await best('forward', 0, 2, async () => {
      const l = noGrad(() => tidy(fwd));
      await l.data();
      l.dispose();
    });
    await best('forward + backward', 0, 2, async () => {
      const l = tidy(fwd);
      l.backward();
      await l.data();
      await params[0].grad!.data();
      for (const p of params) {
        p.grad?.dispose();
        p.grad = null;
      }
      l.dispose();
    });
    const m1 = params.map((p) => tensor(new Float32Array(p.size), { shape: [...p.shape], device: 'webgpu' }));
    const m2 = params.map((p) => tensor(new Float32Array(p.size), { shape: [...p.shape], device: 'webgpu' }));
    let step = 0;
    await best('Adam update (all params)', 0, 2, async () => {
      step++;
      const c1 = 1 / (1 - 0.9 ** step);
      const c2 = 1 / (1 - 0.999 ** step);
      const out = noGrad(() => tidy(() => params.map((p, i) => {
        const g = m1[i];
        const nm1 = add(mul(m1[i], 0.9), mul(g, 0.1));
        const nm2 = add(mul(m2[i], 0.999), mul(square(g), 0.001));
        return sub(p, div(mul(nm1, c1 * 1e-3), add(sqrt(mul(nm2, c2)), 1e-8)));
      })));
      await out[out.length - 1].data();
      for (const o of out) o.dispose();
    });
  }
  if (what.includes('mlp')) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const r = await benchMlp('webgpu', 'webgpu', s, { budgetMs: 1, maxRuns: 2, slowMs: Infinity });
    const d = process.cpuUsage(c0);
    console.log(r.workload, 'median wall', r.ms?.toFixed(1), 'ms; whole call (3 steps incl. warm-up) wall', (performance.now() - w0).toFixed(0), 'cpu/2', ((d.user + d.system) / 2000).toFixed(0), 'ms');
  }
  process.exit(0);
}

void main();
