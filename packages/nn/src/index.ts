/**
 * @headsplat/nn: modules, layers, initialisers, optimisers, losses, StyleGAN2 blocks and CNN
 * refiners on @headsplat/core, with PyTorch's state-dict names.
 */
export { Parameter, assignStorage } from './parameter.js';
export { Module, type TensorModule, type StateDict, type StateValue, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export * as init from './init.js';
export type { InitOptions } from './init.js';
export { Linear, Identity, type LinearOptions } from './layers/linear.js';
export { Conv2d, ConvTranspose2d, type Conv2dLayerOptions, type ConvTranspose2dLayerOptions } from './layers/conv.js';
export { Activation, ReLU, GELU, Sigmoid, Tanh, SiLU, LeakyReLU, Softplus, activationFn, silu, type ActivationName, type ActivationFn } from './layers/activation.js';
export { MaxPool2d, AvgPool2d, Upsample } from './layers/pool.js';
export { LayerNorm, GroupNorm, BatchNorm2d, normalize, type NormOptions, type BatchNormOptions } from './layers/norm.js';
export { Dropout } from './layers/dropout.js';
export { Embedding } from './layers/embedding.js';
export { MLP, type MlpOptions, type MlpInit } from './layers/mlp.js';
export { PositionalEncoding, type PositionalEncodingOptions } from './layers/positional-encoding.js';
export { Optimizer, type ParamGroup, type ParamState, type OptimizerStateDict, type OptimizerStateDictInput } from './optim/optimizer.js';
export { Adam, AdamW, type AdamOptions } from './optim/adam.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { clipGradNorm_ } from './optim/clip-grad.js';
export { LRScheduler, ExponentialLR, StepLR, CosineAnnealingLR, WarmupLR, LambdaLR } from './optim/lr-scheduler.js';
export { l1Loss, mseLoss, psnr } from './losses/basic.js';
export { ssim, ssimLoss, gaussianWindow1d, type SsimOptions } from './losses/ssim.js';
export { tvLoss, betaOpacityLoss, iouLoss, silhouetteBceLoss, type TvOptions } from './losses/regularisers.js';
export { UniformLaplacian, laplacianSmoothingLoss } from './losses/laplacian.js';
export type { Reduction } from './losses/reduction.js';
export {
  saveCheckpoint, loadCheckpoint, saveOptimizerState, loadOptimizerState, toNamedArray, stateDictToArrays,
  type CheckpointInfo, type LoadedCheckpoint,
} from './checkpoint.js';
export { MultiheadAttention, type AttentionOptions } from './layers/attention.js';
export { VitBlock, VisionTransformer, FeedForward, LayerScale, type VitBlockOptions, type VisionTransformerOptions } from './layers/vit.js';
export {
  FullyConnectedLayer, Conv2dLayer, biasAct, modulatedConv2d, upsample2d, downsample2d,
  type SgActivation, type FullyConnectedOptions, type Conv2dLayerOptions as SgConv2dLayerOptions,
} from './stylegan2/layers.js';
export { MappingNetwork, normalize2ndMoment, type MappingOptions, type MappingForwardOptions } from './stylegan2/mapping.js';
export {
  SynthesisLayer, ToRGBLayer, SynthesisBlock, SynthesisNetwork, StyleGAN2Generator,
  type NoiseMode, type SynthesisOptions, type GeneratorOptions,
} from './stylegan2/synthesis.js';
export { StyleGAN2Discriminator, DiscriminatorBlock, minibatchStd, type DiscriminatorOptions } from './stylegan2/discriminator.js';
export { r1Penalty } from './stylegan2/r1.js';
export { UNetRefiner, type UNetRefinerOptions } from './refiners/unet-refiner.js';
export { FeatureUpsampler, type FeatureUpsamplerOptions } from './refiners/feature-upsampler.js';
export { LPIPS, LpipsBackbone, loadLpips, type LpipsNet, type LpipsOptions } from './losses/lpips.js';
export { VggPerceptualLoss, type VggPerceptualOptions } from './losses/vgg-perceptual.js';
