/**
 * Depth sort and tile binning (3DGS "duplicateWithKeys" + radix sort, done plainly).
 *
 * Rasterized splats are sorted by camera depth z ascending, ties broken by Gaussian index
 * (stable), and each tile gets the depth-ordered list of splats whose tile rectangle
 * (project.ts step 6) contains it.
 *
 * API
 * - `binTiles(rects, depths, visible, width, height, tileSize) -> TileBins`
 */

export interface TileBins {
  tileSize: number;
  tilesX: number;
  tilesY: number;
  /** Rasterized splat indices sorted front to back. */
  order: Int32Array;
  /** Per tile (row-major, ty * tilesX + tx): splat indices front to back. */
  lists: Int32Array[];
}

export function binTiles(
  rects: ArrayLike<readonly [number, number, number, number]>,
  depths: ArrayLike<number>,
  visible: ArrayLike<boolean>,
  width: number,
  height: number,
  tileSize: number,
): TileBins {
  const tilesX = Math.ceil(width / tileSize);
  const tilesY = Math.ceil(height / tileSize);
  const ids: number[] = [];
  for (let i = 0; i < visible.length; i++) if (visible[i]) ids.push(i);
  ids.sort((a, b) => depths[a] - depths[b] || a - b);

  const buckets: number[][] = Array.from({ length: tilesX * tilesY }, () => []);
  for (const i of ids) {
    const [x0, y0, x1, y1] = rects[i];
    for (let ty = y0; ty <= y1; ty++) {
      for (let tx = x0; tx <= x1; tx++) buckets[ty * tilesX + tx].push(i);
    }
  }
  return { tileSize, tilesX, tilesY, order: Int32Array.from(ids), lists: buckets.map((b) => Int32Array.from(b)) };
}
