import { embedding, type Tensor } from '@headsplat/core';
import { normal, generatorOf, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkInput, positiveInt } from './check.js';

/** A lookup table of `numEmbeddings` rows (torch.nn.Embedding; weight ~ N(0, 1)). */
export class Embedding extends Module implements TensorModule {
  readonly weight: Parameter;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: InitOptions & { std?: number } = {}) {
    super();
    positiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    positiveInt('Embedding', 'embeddingDim', embeddingDim);
    this.weight = this.registerParameter('weight', Parameter.from(normal([numEmbeddings, embeddingDim], 0, opts.std ?? 1, { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) })));
  }

  /** ids: int32 of any shape -> (...ids.shape, embeddingDim). */
  forward(ids: Tensor): Tensor {
    checkInput('Embedding', ids, { device: this.weight.device });
    return embedding(this.weight, ids);
  }
}
