/**
 * The render loop of the viewer: keeps a scene on the GPU, renders it with the splat
 * rasterizer's WebGPU forward pass and draws the image into the canvas (`CanvasBlit`),
 * measuring frames per second. Frames are drawn when something changed (camera, scene,
 * canvas size), or on every animation frame when `continuous` is set; one frame is in
 * flight at a time.
 */
import { createRasterizer, type GaussianScene, type Rasterizer } from '@headsplat/splat-raster';
import { CanvasBlit } from './canvas-blit.js';
import { uploadScene, type UploadedScene } from './gaussian-upload.js';
import { OrbitCamera } from './orbit-camera.js';
import { sceneBounds } from './scene-bounds.js';

export interface SplatViewerOptions {
  /** RGB in [0, 1] behind the splats. */
  background: [number, number, number];
  /** Render pixels per CSS pixel (before the device pixel ratio). Default 1. */
  renderScale?: number;
  /** Largest rendered image side in pixels. Default 2048. */
  maxSide?: number;
}

export interface ViewerStats {
  /** frames drawn since start */
  frames: number;
  /** frames drawn of the current scene */
  sceneFrames: number;
  /** frames per second over the last second */
  fps: number;
  /** time of the last frame, forward pass + draw until the GPU is done, in ms */
  frameMs: number;
  gaussians: number;
  width: number;
  height: number;
  /** (tile, Gaussian) pairs of the last frame */
  intersections: number;
}

export class SplatViewer {
  readonly camera = new OrbitCamera();
  readonly stats: ViewerStats = { frames: 0, sceneFrames: 0, fps: 0, frameMs: 0, gaussians: 0, width: 0, height: 0, intersections: 0 };
  /** Called after each drawn frame. */
  onFrame: (stats: ViewerStats) => void = () => {};
  /** Called when a frame fails (e.g. too many intersections); rendering pauses until the view or scene changes. */
  onError: (error: Error) => void = () => {};
  /** Called before each frame; may update the scene (`updateScene`). */
  beforeFrame: (timeMs: number) => void = () => {};
  /** Render on every animation frame, not only after a change (for measuring FPS, animation). */
  continuous = false;

  private readonly rasterizer: Rasterizer;
  private readonly blit: CanvasBlit;
  private scene: UploadedScene | undefined;
  /** Bumped by `setScene`, so that a frame in flight is not counted for the next scene. */
  private generation = 0;
  /** Replaced scenes, freed once the frame in flight no longer uses them. */
  private retired: UploadedScene[] = [];
  private inFlight = false;
  private dirty = true;
  private bounds = { center: [0, 0, 0] as [number, number, number], radius: 1 };
  private running = false;
  private paused = false;
  private frameTimes: number[] = [];

  constructor(
    readonly device: GPUDevice,
    readonly canvas: HTMLCanvasElement,
    readonly options: SplatViewerOptions,
  ) {
    const context = canvas.getContext('webgpu');
    if (!context) throw new Error('SplatViewer: canvas.getContext("webgpu") returned null');
    const format = navigator.gpu.getPreferredCanvasFormat();
    context.configure({ device, format, alphaMode: 'opaque' });
    this.rasterizer = createRasterizer(device);
    this.blit = new CanvasBlit(device, context, format);
  }

  /** Replaces the scene (uploading it) and frames the camera on it unless `keepView`. */
  setScene(scene: GaussianScene, options: { keepView?: boolean; upSign?: 1 | -1 } = {}): void {
    const uploaded = uploadScene(this.device, scene);
    if (this.scene) this.retired.push(this.scene);
    if (!this.inFlight) this.freeRetired();
    this.scene = uploaded;
    this.generation++;
    this.bounds = sceneBounds(scene);
    this.stats.gaussians = uploaded.count;
    this.stats.sceneFrames = 0;
    if (options.upSign) this.camera.state.upSign = options.upSign;
    if (!options.keepView) this.resetView();
    this.invalidate();
  }

  /** Overwrites fields of the current scene in place (same Gaussian count), e.g. re-posed means. */
  updateScene(fields: Partial<Pick<GaussianScene, 'means' | 'quats' | 'scales' | 'opacities' | 'colors'>>): void {
    const s = this.scene;
    if (!s) throw new Error('SplatViewer.updateScene: no scene set');
    const colorStride = s.shDegree === undefined ? 3 : 3 * (s.shDegree + 1) ** 2;
    const stride = { means: 3, quats: 4, scales: 3, opacities: 1, colors: colorStride };
    for (const key of ['means', 'quats', 'scales', 'opacities', 'colors'] as const) {
      const data = fields[key];
      if (!data) continue;
      const f32 = data instanceof Float32Array ? data : new Float32Array(data);
      if (f32.length !== stride[key] * s.count) {
        throw new Error(`SplatViewer.updateScene: ${key}: expected ${stride[key]} * N = ${stride[key] * s.count} values (N = ${s.count} Gaussians), got ${f32.length}`);
      }
      this.device.queue.writeBuffer(s[key], 0, f32.buffer, f32.byteOffset, f32.byteLength);
    }
    this.invalidate();
  }

  /** Looks at the scene from the front at a distance that fits it. */
  resetView(): void {
    this.camera.state.yaw = 0;
    this.camera.state.pitch = 0;
    this.camera.frame(this.bounds.center, this.bounds.radius);
    this.invalidate();
  }

  /** Asks for a new frame (and resumes after a failed one); call on any change. */
  invalidate(): void {
    this.paused = false;
    this.dirty = true;
  }

  private freeRetired(): void {
    for (const s of this.retired) s.destroy();
    this.retired = [];
  }

  /** Size of the rendered image for the canvas's current CSS size. */
  renderSize(): { width: number; height: number } {
    const scale = (this.options.renderScale ?? 1) * (window.devicePixelRatio || 1);
    const maxSide = this.options.maxSide ?? 2048;
    let w = Math.max(1, Math.round(this.canvas.clientWidth * scale));
    let h = Math.max(1, Math.round(this.canvas.clientHeight * scale));
    const shrink = Math.min(1, maxSide / Math.max(w, h));
    w = Math.max(1, Math.floor(w * shrink));
    h = Math.max(1, Math.floor(h * shrink));
    return { width: w, height: h };
  }

  /** Pixel position of a world point in CSS pixels of the canvas (for tests and overlays). */
  projectToCanvas(p: ArrayLike<number>): { x: number; y: number; depth: number } {
    const { width, height } = this.renderSize();
    const q = this.camera.project(p, width, height);
    return { x: (q.x * this.canvas.clientWidth) / width, y: (q.y * this.canvas.clientHeight) / height, depth: q.depth };
  }

  /** Renders and draws one frame; resolves once the GPU has finished it. */
  async renderFrame(): Promise<void> {
    const scene = this.scene;
    if (!scene) return;
    const generation = this.generation;
    const { width, height } = this.renderSize();
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const t0 = performance.now();
    const fwd = await this.rasterizer.forward(scene, this.camera.camera(width, height), { background: this.options.background });
    try {
      this.blit.draw(fwd.outputs.rgb, width, height);
      this.stats.intersections = fwd.state.intersections;
    } finally {
      fwd.destroy();
    }
    // The forward resolves before its last pass has run: wait for the GPU so that the frame
    // time is the real one and frames do not queue up behind each other.
    await this.device.queue.onSubmittedWorkDone();
    const t1 = performance.now();
    this.frameTimes.push(t1);
    while (this.frameTimes.length > 0 && this.frameTimes[0] < t1 - 1000) this.frameTimes.shift();
    Object.assign(this.stats, {
      frames: this.stats.frames + 1,
      sceneFrames: this.stats.sceneFrames + (generation === this.generation ? 1 : 0),
      frameMs: t1 - t0,
      fps: this.frameTimes.length,
      width,
      height,
    });
    this.onFrame(this.stats);
  }

  /** True when no frame is being drawn and none is due (the canvas shows the current state). */
  get idle(): boolean {
    return !this.inFlight && (!this.dirty || this.paused) && !this.continuous;
  }

  /** Frames drawn during the last second (0 when idle). */
  currentFps(now = performance.now()): number {
    while (this.frameTimes.length > 0 && this.frameTimes[0] < now - 1000) this.frameTimes.shift();
    return this.frameTimes.length;
  }

  /** Starts the loop (checked on every animation frame) until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const step = async (time: number): Promise<void> => {
      if (!this.running) return;
      const size = this.renderSize();
      if (size.width !== this.canvas.width || size.height !== this.canvas.height) this.dirty = true;
      if (!this.paused && (this.dirty || this.continuous)) {
        this.dirty = false;
        this.inFlight = true;
        try {
          this.beforeFrame(time);
          await this.renderFrame();
        } catch (e) {
          this.paused = true;
          this.onError(e instanceof Error ? e : new Error(String(e)));
        } finally {
          this.inFlight = false;
          this.freeRetired();
        }
      }
      requestAnimationFrame((t) => void step(t));
    };
    requestAnimationFrame((t) => void step(t));
  }

  stop(): void {
    this.running = false;
  }
}
