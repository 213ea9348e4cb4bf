import { HeadsplatError } from '@headsplat/core';
import type { Optimizer } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

/**
 * A learning-rate schedule: `step()` advances one epoch (or iteration) and sets each group's
 * lr to initialLr · factor(epoch). Closed forms, so a schedule can resume from `lastEpoch`.
 */
export abstract class LRScheduler {
  lastEpoch = 0;

  /** Subclasses call `this.apply()` at the end of their constructor (their fields exist only then). */
  constructor(readonly optimizer: AnyOptimizer) {}

  /** Multiplier of the initial lr at `epoch`. */
  abstract factor(epoch: number): number;

  step(): void {
    this.lastEpoch++;
    this.apply();
  }

  protected apply(): void {
    const f = this.factor(this.lastEpoch);
    for (const g of this.optimizer.paramGroups) g.options.lr = g.initialLr * f;
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.options.lr);
  }

  stateDict(): { last_epoch: number } {
    return { last_epoch: this.lastEpoch };
  }

  loadStateDict(d: { last_epoch: number }): void {
    if (!Number.isInteger(d.last_epoch) || d.last_epoch < 0) throw new HeadsplatError(`LRScheduler.loadStateDict: last_epoch must be an integer >= 0, got ${d.last_epoch}`);
    this.lastEpoch = d.last_epoch;
    this.apply();
  }
}

/** lr = lr0 · γ^epoch (torch.optim.lr_scheduler.ExponentialLR). */
export class ExponentialLR extends LRScheduler {
  constructor(opt: AnyOptimizer, readonly gamma: number) {
    if (!(gamma > 0)) throw new HeadsplatError(`ExponentialLR: gamma must be > 0, got ${gamma}`);
    super(opt);
    this.apply();
  }

  factor(e: number): number {
    return this.gamma ** e;
  }
}

/** lr = lr0 · γ^floor(epoch / stepSize) (StepLR). */
export class StepLR extends LRScheduler {
  constructor(opt: AnyOptimizer, readonly stepSize: number, readonly gamma = 0.1) {
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new HeadsplatError(`StepLR: stepSize must be an integer >= 1, got ${stepSize}`);
    super(opt);
    this.apply();
  }

  factor(e: number): number {
    return this.gamma ** Math.floor(e / this.stepSize);
  }
}

/**
 * Cosine annealing from lr0 to etaMin over tMax epochs (Loshchilov & Hutter 2017, SGDR
 * eq. 5 without restarts): lr = etaMin + (lr0 - etaMin)(1 + cos(π e / tMax)) / 2; flat after tMax.
 * `etaMin` is a fraction of each group's lr0 (`etaMinRatio`) so groups keep their ratios.
 */
export class CosineAnnealingLR extends LRScheduler {
  constructor(opt: AnyOptimizer, readonly tMax: number, readonly etaMinRatio = 0) {
    if (!(tMax > 0)) throw new HeadsplatError(`CosineAnnealingLR: tMax must be > 0, got ${tMax}`);
    super(opt);
    this.apply();
  }

  factor(e: number): number {
    const t = Math.min(e, this.tMax);
    return this.etaMinRatio + (1 - this.etaMinRatio) * 0.5 * (1 + Math.cos((Math.PI * t) / this.tMax));
  }
}

/**
 * Linear warm-up from `startFactor` to 1 over `warmupSteps`, then `after` (another
 * schedule, counted from the end of the warm-up) or constant.
 */
export class WarmupLR extends LRScheduler {
  constructor(opt: AnyOptimizer, readonly warmupSteps: number, readonly opts: { startFactor?: number; after?: (epoch: number) => number } = {}) {
    if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new HeadsplatError(`WarmupLR: warmupSteps must be an integer >= 0, got ${warmupSteps}`);
    super(opt);
    this.apply();
  }

  factor(e: number): number {
    const start = this.opts?.startFactor ?? 0;
    if (e < this.warmupSteps) return start + ((1 - start) * e) / this.warmupSteps;
    return this.opts?.after ? this.opts.after(e - this.warmupSteps) : 1;
  }
}

/** lr = lr0 · fn(epoch) (LambdaLR). */
export class LambdaLR extends LRScheduler {
  constructor(opt: AnyOptimizer, readonly fn: (epoch: number) => number) {
    super(opt);
    this.apply();
  }

  factor(e: number): number {
    return this.fn(e);
  }
}
