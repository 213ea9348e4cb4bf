/** Our CPU and WebGPU backends on the shared workloads. */
import { add, conv2d, div, getBackend, linear, matmul, mean, mul, noGrad, relu, sqrt, square, sub, tensor, tidy, type Device, type Tensor } from '../src/index.js';
import { randomArray, row, type BenchRow, type MeasureOptions } from './timing.js';
import { convGflop, convName, matmulGflop, matmulName, mlpGflop, mlpName, type Sizes } from './workloads.js';

/** Waits for the device's queued work (a read of a one-element result). */
async function settle(t: Tensor): Promise<void> {
  await t.data();
}

function t(data: Float32Array, shape: number[], device: Device, requiresGrad = false): Tensor {
  return tensor(data, { shape, device, requiresGrad });
}

export async function benchMatmulConv(device: Device, impl: string, s: Sizes, o: MeasureOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const n of s.matmul) {
    const a = t(randomArray(n * n, 1), [n, n], device);
    const b = t(randomArray(n * n, 2), [n, n], device);
    rows.push(await row(matmulName(n), impl, matmulGflop(n), async () => {
      const c = matmul(a, b);
      await settle(c);
      c.dispose();
    }, o));
    a.dispose();
    b.dispose();
  }
  const c = s.conv;
  const x = t(randomArray(c.n * c.c * c.h * c.w, 3), [c.n, c.c, c.h, c.w], device);
  const w = t(randomArray(c.o * c.c * c.k * c.k, 4, 0.1), [c.o, c.c, c.k, c.k], device);
  rows.push(await row(convName(c), impl, convGflop(c), async () => {
    const y = conv2d(x, w, { padding: c.pad });
    await settle(y);
    y.dispose();
  }, o));
  x.dispose();
  w.dispose();
  return rows;
}

/**
 * The benchmark MLP on `device` (weights, Adam moments, data) and its training step (forward,
 * backward, Adam with bias correction, written with public ops); `step()` records one step and
 * returns a tensor whose read waits for it. Shared by `benchMlp` and
 * profile-mlp.ts.
 */
export function mlpTrainer(device: Device, m: Sizes['mlp']): { step(): Tensor; dispose(): void } {
  const x = t(randomArray(m.rows * m.dims[0], 5), [m.rows, m.dims[0]], device);
  const y = t(randomArray(m.rows, 6), [m.rows, 1], device);
  let params: Tensor[] = [];
  for (let i = 0; i + 1 < m.dims.length; i++) {
    const fanIn = m.dims[i];
    params.push(t(randomArray(m.dims[i + 1] * fanIn, 10 + i, Math.sqrt(6 / fanIn)), [m.dims[i + 1], fanIn], device, true));
    params.push(t(new Float32Array(m.dims[i + 1]), [m.dims[i + 1]], device, true));
  }
  let m1 = params.map((p) => t(new Float32Array(p.size), [...p.shape], device));
  let m2 = params.map((p) => t(new Float32Array(p.size), [...p.shape], device));
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let n = 0;
  return {
    step(): Tensor {
      n++;
      const loss = tidy(() => {
        let h = x;
        for (let l = 0; l < params.length / 2; l++) {
          h = linear(h, params[2 * l], params[2 * l + 1]);
          if (l + 1 < params.length / 2) h = relu(h);
        }
        return mean(square(sub(h, y)));
      });
      loss.backward();
      // Adam (Kingma & Ba 2015, Algorithm 1) with bias correction.
      const c1 = 1 / (1 - b1 ** n);
      const c2 = 1 / (1 - b2 ** n);
      const next = noGrad(() =>
        tidy(() =>
          params.map((p, i) => {
            const g = p.grad!;
            const nm1 = add(mul(m1[i], b1), mul(g, 1 - b1));
            const nm2 = add(mul(m2[i], b2), mul(square(g), 1 - b2));
            const upd = div(mul(nm1, c1 * m.lr), add(sqrt(mul(nm2, c2)), eps));
            return [sub(p, upd), nm1, nm2];
          }),
        ),
      );
      for (let i = 0; i < params.length; i++) {
        params[i].grad?.dispose();
        params[i].dispose();
        m1[i].dispose();
        m2[i].dispose();
      }
      params = next.map(([p]) => p.requiresGrad_(true));
      m1 = next.map(([, a]) => a);
      m2 = next.map(([, , b]) => b);
      loss.dispose();
      return params[params.length - 1];
    },
    dispose(): void {
      for (const p of [...params, ...m1, ...m2, x, y]) p.dispose();
    },
  };
}

/** One training step (forward, backward, Adam) of the MLP, written with public ops. */
export async function benchMlp(device: Device, impl: string, s: Sizes, o: MeasureOptions): Promise<BenchRow> {
  const m = s.mlp;
  const trainer = mlpTrainer(device, m);
  const r = await row(mlpName(m), impl, mlpGflop(m), async () => {
    await settle(trainer.step());
  }, o);
  trainer.dispose();
  getBackend(device).flush?.();
  return r;
}
