import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { networkChanges } from '../../src/train/resumedModel.js';
import { parseTrainConfig, type TrainConfig } from '../../src/train/trainConfig.js';

const config = (model: string, extra = '', scale = 2): TrainConfig =>
  parseTrainConfig(
    `name: t\nscale: ${scale}\nmodel: ${model}\ndata: { train: [hr], lr_patch: 8, batch: 2 }\noptimizer: { type: adam, lr: 1.0e-3 }\nsteps: 10\n${extra}`,
    join('/runs', 'train.yaml'),
  );

/** What `config.json` holds: the parsed config as JSON. */
const stored = (c: TrainConfig): unknown => JSON.parse(JSON.stringify(c));

describe('the network a resumed run continues', () => {
  it('is the same when the options differ only by spelling out the defaults', () => {
    expect(networkChanges({ scale: 2, model: { arch: 'srvgg-compact', options: {} } }, config('{ arch: srvgg-compact, options: { features: 48, convs: 10 } }'))).toEqual([]);
  });

  it('names each changed option and the scale, with both values', () => {
    const before = config('{ arch: srvgg-compact, options: { features: 8 } }');
    const after = config('{ arch: srvgg-compact, options: { features: 16 } }', '', 4);
    expect(networkChanges(stored(before), after)).toEqual(['scale 2 -> 4', 'model.options.features 8 -> 16']);
  });

  it('names a changed architecture alone, not every option that comes with it', () => {
    expect(networkChanges(stored(config('{ arch: srvgg-compact }')), config('{ arch: srresnet }'))).toEqual(['model.arch "srvgg-compact" -> "srresnet"']);
  });

  it('compares the discriminator of a GAN run too', () => {
    const gan = (features: number) =>
      `gan: { discriminator: { arch: vgg, options: { features: ${features} } }, loss: ragan, weight: 0.005, optimizer: { type: adam, lr: 1.0e-4 } }\n`;
    expect(networkChanges(stored(config('{ arch: srvgg-compact }', gan(64))), config('{ arch: srvgg-compact }', gan(32)))).toEqual(['gan.discriminator.options.features 64 -> 32']);
  });

  it('changes nothing when only training settings differ', () => {
    expect(networkChanges(stored(config('{ arch: srvgg-compact }')), config('{ arch: srvgg-compact }', 'ema: 0.999\n'))).toEqual([]);
  });
});
