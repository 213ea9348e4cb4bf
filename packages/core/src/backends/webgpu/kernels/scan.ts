/**
 * Cumsum: one thread per line (the product of the other axes), a serial inclusive scan
 * along the axis, in the CPU kernel's order (so float results agree to the last bit on
 * short axes). Lines are many in practice (batch x features); a long single line runs
 * serially, which is the trade-off for determinism and simplicity.
 */
import { sizeOf } from '../../../shape.js';
import { Params } from '../params.js';
import { registerWebGPUKernel } from '../register.js';
import { st } from '../webgpu-backend.js';
import { declareBindings, linearWorkgroups, mainLinear, wgslType } from '../wgsl.js';

registerWebGPUKernel('Cumsum', ([x], { axis, reverse }, backend) => {
  const L = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const lines = x.size / Math.max(L, 1);
  const out = backend.createOutput(x.dtype, x.size);
  const t = wgslType(x.dtype);
  backend.dispatch({
    key: `cumsum:${t}:${reverse}`,
    source: () =>
      [
        declareBindings([['x', t]], [['out', t]]),
        mainLinear(
          'P.lines',
          [
            '  let base = (i / P.inner) * P.L * P.inner + i % P.inner;',
            `  var acc = ${t}(0);`,
            '  for (var k = 0u; k < P.L; k++) {',
            `    let j = base + ${reverse ? '(P.L - 1u - k)' : 'k'} * P.inner;`,
            '    acc = acc + x[j];',
            '    out[j] = acc;',
            '  }',
          ].join('\n'),
        ),
      ].join('\n'),
    inputs: [st(x)],
    outputs: [out],
    params: new Params().u32('lines', x.size === 0 ? 0 : lines).u32('L', L).u32('inner', inner),
    workgroups: linearWorkgroups(x.size === 0 ? 0 : lines),
  });
  return { storage: out, shape: x.shape, dtype: x.dtype };
});
