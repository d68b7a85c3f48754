import { describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { checkVggWeights, randomVggWeights, vggConvs, vggLayers } from '../../src/nn/networks/vgg.js';

/** A state dict with the real shapes but no values: the shape checker only reads shapes. */
function shapesOnly(variant: 'vgg16' | 'vgg19'): StateDict {
  const state: StateDict = new Map();
  for (const conv of vggConvs(variant)) {
    state.set(`features.${conv.index}.weight`, { dtype: 'float32', shape: [conv.outChannels, conv.inChannels, 3, 3], data: new Float32Array(0) });
    state.set(`features.${conv.index}.bias`, { dtype: 'float32', shape: [conv.outChannels], data: new Float32Array(0) });
  }
  return state;
}

function errorOf(action: () => void): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(EnhanceError);
    return (error as Error).message;
  }
  throw new Error('no error was thrown');
}

describe('the VGG layer table', () => {
  it('has torchvision\'s indices: VGG19 conv5_4 is features.34 and relu5_4 features.35 (ESRGAN and SRGAN cut there)', () => {
    const index = new Map(vggLayers('vgg19').map((layer) => [layer.name, layer.index]));
    expect(index.get('conv5_4')).toBe(34);
    expect(index.get('relu5_4')).toBe(35);
    expect(index.get('pool5')).toBe(36);
    expect(vggLayers('vgg19')).toHaveLength(37);
  });

  it('has VGG16 relu3_3 at features.15 (Johnson et al.) and 31 modules', () => {
    const layers = vggLayers('vgg16');
    expect(layers.find((layer) => layer.name === 'relu3_3')?.index).toBe(15);
    expect(layers).toHaveLength(31);
  });

  it('has 16 convs in VGG19 and 13 in VGG16, with 14.7M and 20.0M parameters in their features', () => {
    const parameters = (variant: 'vgg16' | 'vgg19') => vggConvs(variant).reduce((n, c) => n + c.outChannels * (c.inChannels * 9 + 1), 0);
    expect(vggConvs('vgg19')).toHaveLength(16);
    expect(vggConvs('vgg16')).toHaveLength(13);
    expect(parameters('vgg16')).toBe(14_714_688); // torchvision: sum(p.numel() for p in vgg16().features.parameters())
    expect(parameters('vgg19')).toBe(20_024_384);
  });
});

describe('checkVggWeights', () => {
  it('accepts the real shapes, ignoring keys outside features (torchvision\'s classifier)', () => {
    const state = shapesOnly('vgg19');
    state.set('classifier.0.weight', { dtype: 'float32', shape: [4096, 25088], data: new Float32Array(0) });
    expect(() => checkVggWeights(state, 'vgg19')).not.toThrow();
    expect(() => checkVggWeights(shapesOnly('vgg16'), 'vgg16')).not.toThrow();
  });

  it('names the layer whose shape is wrong and what was found', () => {
    const state = shapesOnly('vgg19');
    state.set('features.28.weight', { dtype: 'float32', shape: [512, 256, 3, 3], data: new Float32Array(0) });
    expect(errorOf(() => checkVggWeights(state, 'vgg19', { file: 'w.pth' }))).toBe('w.pth: features.28.weight (conv5_1 weight) is [512, 256, 3, 3], vgg19 needs [512, 512, 3, 3]');
  });

  it('names the first missing layer: VGG16 weights are not VGG19 weights', () => {
    expect(errorOf(() => checkVggWeights(shapesOnly('vgg16'), 'vgg19'))).toBe('has no features.16.weight (conv3_4 weight); vgg19 needs [256, 256, 3, 3]') // pool3 in VGG16;
    expect(errorOf(() => checkVggWeights(new Map(), 'vgg16'))).toBe('has no features.0.weight (conv1_1 weight); vgg16 needs [64, 3, 3, 3]');
  });
});

describe('randomVggWeights', () => {
  it('follows torchvision\'s init: zero biases, weights of standard deviation sqrt(2 / fan_out), the same for the same seed', () => {
    const a = randomVggWeights('vgg16', 3, 4);
    expect(() => checkVggWeights(a, 'vgg16', { widthDivisor: 4 })).not.toThrow();
    const weight = a.get('features.2.weight')!.data as Float32Array; // conv1_2: 16 -> 16 channels
    const std = Math.sqrt(weight.reduce((s, v) => s + v * v, 0) / weight.length);
    expect(std).toBeGreaterThan(0.85 * Math.sqrt(2 / (16 * 9)));
    expect(std).toBeLessThan(1.15 * Math.sqrt(2 / (16 * 9)));
    expect(Array.from(a.get('features.2.bias')!.data as Float32Array)).toEqual(new Array(16).fill(0));
    expect(randomVggWeights('vgg16', 3, 4).get('features.2.weight')!.data).toEqual(weight);
    expect(randomVggWeights('vgg16', 4, 4).get('features.2.weight')!.data).not.toEqual(weight);
  });
});
