import { HeadsplatError, Tensor, cast, keep, mul, indexAdd, indexSelect, mean, norm, sub, tensor, zeros, type Device } from '@headsplat/core';

/**
 * The uniform ("umbrella") Laplacian of a triangle mesh built once from its faces:
 * (L v)_i = v_i - mean of v's neighbours, for mesh smoothing losses as PyTorch3D's
 * mesh_laplacian_smoothing(method="uniform") (Nealen et al. 2006).
 */
export class UniformLaplacian {
  readonly numEdges: number;
  private readonly src: Tensor;
  private readonly dst: Tensor;
  private readonly invDeg: Tensor;

  /** faces: (F, 3) vertex indices (int32 tensor on the CPU, or nested/flat numbers). */
  constructor(faces: Tensor | ArrayLike<number> | number[][], readonly numVertices: number, device: Device = 'cpu') {
    const op = 'UniformLaplacian';
    if (!Number.isInteger(numVertices) || numVertices < 1) throw new HeadsplatError(`${op}: numVertices must be an integer >= 1, got ${numVertices}`);
    let flat: ArrayLike<number>;
    if (faces instanceof Tensor) {
      if (faces.rank !== 2 || faces.shape[1] !== 3) throw new HeadsplatError(`${op}: faces must have shape (F, 3), got [${faces.shape.join(', ')}]`);
      flat = faces.dataSync();
    } else if (Array.isArray(faces) && Array.isArray(faces[0])) {
      const rows = faces as number[][];
      rows.forEach((r, i) => { if (r.length !== 3) throw new HeadsplatError(`${op}: faces[${i}] must have 3 indices, got ${r.length}`); });
      flat = rows.flat();
    } else flat = faces as ArrayLike<number>;
    if (flat.length % 3 !== 0) throw new HeadsplatError(`${op}: faces must hold 3 indices per face, got ${flat.length} values`);
    const edges = new Set<number>();
    for (let f = 0; f < flat.length; f += 3) {
      for (let k = 0; k < 3; k++) {
        const a = Number(flat[f + k]);
        const b = Number(flat[f + ((k + 1) % 3)]);
        for (const v of [a, b]) if (!Number.isInteger(v) || v < 0 || v >= numVertices) throw new HeadsplatError(`${op}: face ${f / 3} has vertex index ${v}, expected an integer in [0, ${numVertices})`);
        if (a === b) continue;
        edges.add(Math.min(a, b) * numVertices + Math.max(a, b));
      }
    }
    const src: number[] = [];
    const dst: number[] = [];
    const deg = new Float32Array(numVertices);
    for (const e of edges) {
      const a = Math.floor(e / numVertices);
      const b = e % numVertices;
      src.push(a, b);
      dst.push(b, a);
      deg[a]++;
      deg[b]++;
    }
    this.numEdges = edges.size;
    // An isolated vertex has no neighbour mean: (L v)_i = v_i, as in PyTorch3D's laplacian_matrix.
    const inv = Float32Array.from(deg, (d) => (d > 0 ? 1 / d : 0));
    this.src = keep(tensor(Int32Array.from(src), { device }));
    this.dst = keep(tensor(Int32Array.from(dst), { device }));
    this.invDeg = keep(tensor(inv, { shape: [numVertices, 1], device }));
  }

  /** L v for vertices (V, D). */
  apply(verts: Tensor): Tensor {
    if (!(verts instanceof Tensor) || verts.rank !== 2 || verts.shape[0] !== this.numVertices) {
      throw new HeadsplatError(`UniformLaplacian.apply: verts must have shape (${this.numVertices}, D), got ${verts instanceof Tensor ? `[${verts.shape.join(', ')}]` : String(verts)}`);
    }
    const nsum = indexAdd(zeros([this.numVertices, verts.shape[1]], { device: verts.device, dtype: verts.dtype }), 0, this.src, indexSelect(verts, 0, this.dst));
    return sub(verts, mul(nsum, verts.dtype === this.invDeg.dtype ? this.invDeg : cast(this.invDeg, verts.dtype)));
  }

  /** Mean over vertices of ‖(L v)_i‖₂. */
  loss(verts: Tensor): Tensor {
    return mean(norm(this.apply(verts), 2, -1));
  }

  dispose(): void {
    this.src.dispose();
    this.dst.dispose();
    this.invDeg.dispose();
  }
}

/** One-shot uniform Laplacian smoothing loss (builds the operator each call; keep a UniformLaplacian when faces are fixed). */
export function laplacianSmoothingLoss(verts: Tensor, faces: Tensor | ArrayLike<number> | number[][]): Tensor {
  const L = new UniformLaplacian(faces, verts.shape[0], verts.device);
  const out = L.loss(verts);
  L.dispose();
  return out;
}
