import { HeadsplatError, conv2d, convTranspose2d, type Tensor } from '@headsplat/core';
import { defaultLayerInit, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkInput, pairOf, positiveInt, type Pair } from './check.js';

export interface Conv2dLayerOptions extends InitOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  /** Default true. */
  bias?: boolean;
}

function checkGroups(layer: string, inC: number, outC: number, groups: number): void {
  positiveInt(layer, 'groups', groups);
  if (inC % groups !== 0 || outC % groups !== 0) {
    throw new HeadsplatError(`${layer}: inChannels (${inC}) and outChannels (${outC}) must be divisible by groups, got groups=${groups}`);
  }
}

/** 2-D convolution over NCHW (torch.nn.Conv2d: weight (out, in/groups, kh, kw); PyTorch's default init). */
export class Conv2d extends Module implements TensorModule {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, opts: Conv2dLayerOptions = {}) {
    super();
    positiveInt('Conv2d', 'inChannels', inChannels);
    positiveInt('Conv2d', 'outChannels', outChannels);
    this.kernelSize = pairOf('Conv2d', 'kernelSize', kernelSize, 1);
    this.stride = pairOf('Conv2d', 'stride', opts.stride ?? 1, 1);
    this.padding = pairOf('Conv2d', 'padding', opts.padding ?? 0, 0);
    this.dilation = pairOf('Conv2d', 'dilation', opts.dilation ?? 1, 1);
    this.groups = opts.groups ?? 1;
    checkGroups('Conv2d', inChannels, outChannels, this.groups);
    const init = defaultLayerInit([outChannels, inChannels / this.groups, ...this.kernelSize], opts.bias === false ? null : [outChannels], opts);
    this.weight = this.registerParameter('weight', Parameter.from(init.weight));
    this.bias = this.registerParameter('bias', init.bias ? Parameter.from(init.bias) : null);
  }

  forward(x: Tensor): Tensor {
    checkInput('Conv2d', x, { rank: 4, channels: this.inChannels, device: this.weight.device });
    return conv2d(x, this.weight, { bias: this.bias, stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

export interface ConvTranspose2dLayerOptions extends Conv2dLayerOptions {
  outputPadding?: Pair;
}

/** Transposed convolution (torch.nn.ConvTranspose2d: weight (in, out/groups, kh, kw)). */
export class ConvTranspose2d extends Module implements TensorModule {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, opts: ConvTranspose2dLayerOptions = {}) {
    super();
    positiveInt('ConvTranspose2d', 'inChannels', inChannels);
    positiveInt('ConvTranspose2d', 'outChannels', outChannels);
    this.kernelSize = pairOf('ConvTranspose2d', 'kernelSize', kernelSize, 1);
    this.stride = pairOf('ConvTranspose2d', 'stride', opts.stride ?? 1, 1);
    this.padding = pairOf('ConvTranspose2d', 'padding', opts.padding ?? 0, 0);
    this.outputPadding = pairOf('ConvTranspose2d', 'outputPadding', opts.outputPadding ?? 0, 0);
    this.dilation = pairOf('ConvTranspose2d', 'dilation', opts.dilation ?? 1, 1);
    this.groups = opts.groups ?? 1;
    checkGroups('ConvTranspose2d', inChannels, outChannels, this.groups);
    const init = defaultLayerInit([inChannels, outChannels / this.groups, ...this.kernelSize], opts.bias === false ? null : [outChannels], opts);
    this.weight = this.registerParameter('weight', Parameter.from(init.weight));
    this.bias = this.registerParameter('bias', init.bias ? Parameter.from(init.bias) : null);
  }

  forward(x: Tensor): Tensor {
    checkInput('ConvTranspose2d', x, { rank: 4, channels: this.inChannels, device: this.weight.device });
    return convTranspose2d(x, this.weight, {
      bias: this.bias, stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups,
    });
  }
}
