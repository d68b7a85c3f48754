import { sameNames } from '../keyRenaming.js';
import { count, requireRgb, type WeightLayout } from '../weightLayout.js';

/**
 * Our SRResNet (SRGAN's generator with batch norm, `nn/networks/srresnet.ts`): head.0 (9x9) + PReLU,
 * body.N.c1/b1/c2/b2, body_tail, one conv + PixelShuffle x2 + PReLU per factor of two (up.0, up.3,
 * ...), tail (9x9).
 */
export const srresnetLayout: WeightLayout = {
  name: 'SRResNet (enhance layout)',
  signature: ['head.0.weight', 'body.0.c1.weight', 'body_tail.0.weight', 'tail.weight'],
  read(weights) {
    const head = weights.convShape('head.0.weight');
    requireRgb(weights, 'head.0.weight', head.in, 'input');
    requireRgb(weights, 'tail.weight', weights.convShape('tail.weight').out, 'output');
    const blocks = weights.highestIndex('body') + 1;
    let stages = 0;
    while (weights.has(`up.${3 * stages}.weight`)) stages++;
    return {
      spec: { arch: 'srresnet', scale: 2 ** stages, options: { features: head.out, blocks } },
      details: `${count(blocks, 'block')}, ${count(head.out, 'feature')}`,
      renaming: sameNames,
    };
  },
};
