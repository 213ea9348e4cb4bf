/**
 * An orbit camera (orbit around a target, pan the target, zoom the distance) that produces
 * the splat rasterizer's camera: an OpenCV world-to-camera matrix (x right, y down,
 * z forward; column-major) and pinhole intrinsics.
 *
 * The orbit is defined in a y-up world: yaw turns about +y, pitch lifts the eye above the
 * x-z plane. `upSign = -1` orbits a y-down world instead (many 3DGS captures, which
 * inherit COLMAP's y-down camera frames).
 */
import { mat4, vec3, vec4 } from 'gl-matrix';
import type { Camera } from '@headsplat/splat-raster';

/** Camera pose and lens; plain data so that it can be logged and restored. */
export interface OrbitState {
  target: [number, number, number];
  distance: number;
  /** radians about the up axis; 0 looks from +z towards -z */
  yaw: number;
  /** radians above the horizontal plane, |pitch| < pi/2 */
  pitch: number;
  /** vertical field of view, radians */
  fovY: number;
  /** +1: +y is up; -1: -y is up */
  upSign: 1 | -1;
}

const MAX_PITCH = Math.PI / 2 - 1e-3;

/** Multiplying an OpenGL view matrix (y up, looking down -z) by this gives OpenCV's. */
const GL_TO_CV = mat4.fromScaling(mat4.create(), [1, -1, -1]);

export class OrbitCamera {
  state: OrbitState;

  constructor(state: Partial<OrbitState> = {}) {
    this.state = { target: [0, 0, 0], distance: 3, yaw: 0, pitch: 0, fovY: (50 * Math.PI) / 180, upSign: 1, ...state };
  }

  /** Eye position in world space. */
  eye(): vec3 {
    const { target, distance, yaw, pitch, upSign } = this.state;
    const c = Math.cos(pitch);
    return vec3.fromValues(
      target[0] + distance * c * Math.sin(yaw),
      target[1] + upSign * distance * Math.sin(pitch),
      target[2] + distance * c * Math.cos(yaw) * upSign,
    );
  }

  /** World-to-camera matrix, OpenCV convention, column-major. */
  viewMatrix(): Float32Array {
    const gl = mat4.lookAt(mat4.create(), this.eye(), this.state.target, [0, this.state.upSign, 0]);
    return new Float32Array(mat4.multiply(mat4.create(), GL_TO_CV, gl));
  }

  /** The rasterizer camera for an image of `width` x `height` pixels. */
  camera(width: number, height: number): Camera {
    const f = height / 2 / Math.tan(this.state.fovY / 2);
    return { viewMatrix: this.viewMatrix(), fx: f, fy: f, cx: width / 2, cy: height / 2, width, height, near: 0.01 * this.state.distance };
  }

  /** Pixel coordinates (x right, y down) and depth of a world point, as the rasterizer projects it. */
  project(p: ArrayLike<number>, width: number, height: number): { x: number; y: number; depth: number } {
    const cam = this.camera(width, height);
    const q = vec4.transformMat4(vec4.create(), [p[0], p[1], p[2], 1], cam.viewMatrix as Float32Array);
    return { x: (cam.fx * q[0]) / q[2] + cam.cx, y: (cam.fy * q[1]) / q[2] + cam.cy, depth: q[2] };
  }

  /** Rotates by a drag of (dx, dy) pixels. */
  orbit(dx: number, dy: number, speed = 0.005): void {
    this.state.yaw -= dx * speed;
    this.state.pitch = Math.max(-MAX_PITCH, Math.min(MAX_PITCH, this.state.pitch + dy * speed));
  }

  /** Moves the target in the image plane by a drag of (dx, dy) pixels of an image `height` tall. */
  pan(dx: number, dy: number, height: number): void {
    const view = this.viewMatrix();
    // Rows 0 and 1 of the rotation are the camera's right and down axes in world space.
    const right = [view[0], view[4], view[8]];
    const down = [view[1], view[5], view[9]];
    const worldPerPixel = (2 * this.state.distance * Math.tan(this.state.fovY / 2)) / height;
    for (let i = 0; i < 3; i++) this.state.target[i] -= (dx * right[i] + dy * down[i]) * worldPerPixel;
  }

  /** Zooms by `factor` (> 1 moves away). */
  zoom(factor: number): void {
    this.state.distance = Math.max(1e-4, this.state.distance * factor);
  }

  /** Looks at a box of centre `center` and radius `radius` from the current direction. */
  frame(center: ArrayLike<number>, radius: number): void {
    this.state.target = [center[0], center[1], center[2]];
    this.state.distance = (radius / Math.sin(this.state.fovY / 2)) * 1.1;
  }
}
