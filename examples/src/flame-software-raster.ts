/**
 * A tiny CPU triangle rasterizer for the FLAME example: perspective projection, a z-buffer,
 * per-vertex colours and normals interpolated with screen-space barycentrics, Lambert shading
 * with an ambient term. No anti-aliasing; good enough to look at a mesh.
 */
export interface RasterCamera {
  /** Image size in pixels. */
  width: number;
  height: number;
  /** Focal length in pixels. */
  focal: number;
  /** Camera position on the +z axis looking toward -z, after the scene is rotated by `yaw` about y. */
  distance: number;
  /** Point the camera looks at (world). */
  target: [number, number, number];
  /** Scene rotation about the vertical axis (radians), to view from the side. */
  yaw: number;
}

export interface RasterMesh {
  positions: ArrayLike<number>;
  normals: ArrayLike<number>;
  colors: ArrayLike<number>;
  faces: ArrayLike<number>;
}

/** Renders to RGBA8 with a vertical-gradient background. */
export function rasterize(mesh: RasterMesh, cam: RasterCamera, light: [number, number, number] = [-0.4, 0.5, 0.75]): Uint8Array {
  const { width: W, height: H } = cam;
  const img = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const t = y / H;
      img.set([0.1 + 0.05 * t, 0.11 + 0.05 * t, 0.15 + 0.05 * t], (y * W + x) * 3);
    }
  }
  const depth = new Float32Array(W * H).fill(Infinity);
  const V = mesh.positions.length / 3;
  const sx = new Float32Array(V), sy = new Float32Array(V), sz = new Float32Array(V);
  const nv = new Float32Array(V * 3);
  const c = Math.cos(cam.yaw), s = Math.sin(cam.yaw);
  const ln = Math.hypot(...light);
  const L = light.map((v) => v / ln);
  for (let v = 0; v < V; v++) {
    const px = mesh.positions[v * 3] - cam.target[0];
    const py = mesh.positions[v * 3 + 1] - cam.target[1];
    const pz = mesh.positions[v * 3 + 2] - cam.target[2];
    const x = c * px + s * pz, z = -s * px + c * pz;
    const d = cam.distance - z;
    sx[v] = W / 2 + (cam.focal * x) / d;
    sy[v] = H / 2 - (cam.focal * py) / d;
    sz[v] = d;
    const nx = mesh.normals[v * 3], ny = mesh.normals[v * 3 + 1], nz = mesh.normals[v * 3 + 2];
    nv[v * 3] = c * nx + s * nz; nv[v * 3 + 1] = ny; nv[v * 3 + 2] = -s * nx + c * nz;
  }
  const F = mesh.faces.length / 3;
  for (let f = 0; f < F; f++) {
    const a = mesh.faces[f * 3], b = mesh.faces[f * 3 + 1], cc = mesh.faces[f * 3 + 2];
    const area = (sx[b] - sx[a]) * (sy[cc] - sy[a]) - (sx[cc] - sx[a]) * (sy[b] - sy[a]);
    if (area >= 0) continue; // back-facing (y points down on screen, so front faces have negative area)
    const x0 = Math.max(0, Math.floor(Math.min(sx[a], sx[b], sx[cc])));
    const x1 = Math.min(W - 1, Math.ceil(Math.max(sx[a], sx[b], sx[cc])));
    const y0 = Math.max(0, Math.floor(Math.min(sy[a], sy[b], sy[cc])));
    const y1 = Math.min(H - 1, Math.ceil(Math.max(sy[a], sy[b], sy[cc])));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5, py = y + 0.5;
        const w0 = ((sx[b] - px) * (sy[cc] - py) - (sx[cc] - px) * (sy[b] - py)) / area;
        const w1 = ((sx[cc] - px) * (sy[a] - py) - (sx[a] - px) * (sy[cc] - py)) / area;
        const w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        const z = w0 * sz[a] + w1 * sz[b] + w2 * sz[cc];
        const i = y * W + x;
        if (z >= depth[i]) continue;
        depth[i] = z;
        let nx = 0, ny = 0, nz = 0;
        for (const [v, w] of [[a, w0], [b, w1], [cc, w2]]) {
          nx += w * nv[v * 3]; ny += w * nv[v * 3 + 1]; nz += w * nv[v * 3 + 2];
        }
        const nl = Math.hypot(nx, ny, nz) || 1;
        const shade = 0.25 + 0.75 * Math.max(0, (nx * L[0] + ny * L[1] + nz * L[2]) / nl);
        for (let k = 0; k < 3; k++) {
          img[i * 3 + k] = shade * (w0 * mesh.colors[a * 3 + k] + w1 * mesh.colors[b * 3 + k] + w2 * mesh.colors[cc * 3 + k]);
        }
      }
    }
  }
  const out = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    for (let k = 0; k < 3; k++) out[i * 4 + k] = Math.round(255 * Math.min(1, Math.max(0, img[i * 3 + k]) ** (1 / 2.2)));
    out[i * 4 + 3] = 255;
  }
  return out;
}
