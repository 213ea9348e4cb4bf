/**
 * Assign: a recorded buffer-to-buffer copy of source into target's own buffer.
 *
 * Fusion hazard: a lazy elementwise expression (fusion.ts) that reads target has not run
 * yet; were the copy recorded first, that expression would later see the new values.
 * So when any pending expression holds target's storage (`exprRefs > 0`), every lazy
 * result still referenced is computed first; the copy is then ordered after those
 * dispatches in the command stream.
 */
import { registerWebGPUKernel } from '../register.js';
import { st } from '../webgpu-backend.js';

registerWebGPUKernel('Assign', ([target, source], _attrs, backend) => {
  const dst = st(target);
  const src = st(source);
  if (dst === src) return [];
  if (dst.exprRefs > 0) backend.materializeAll();
  backend.copy(src, 0, dst, 0, target.size);
  return [];
});
