import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelFor, resolveModelPath, SHIPPED_MODELS_DIR } from '../../src/models/modelFile.js';

describe('shipped model names', () => {
  it('default-x4 is the default x4 model, default-x2 the x2 one', () => {
    expect(resolveModelPath('default-x4')).toBe(defaultModelFor(4));
    expect(resolveModelPath('default-x2')).toBe(defaultModelFor(2));
    expect(resolveModelPath('compact-x4')).toBe(join(SHIPPED_MODELS_DIR, 'compact-x4.safetensors'));
  });

  it('default-x4-gan is the adversarial fine-tune of the default x4 model', () => {
    expect(resolveModelPath('default-x4-gan')).toBe(join(SHIPPED_MODELS_DIR, 'compact-x4-gan.safetensors'));
  });

  it('an unknown name is a one-line error that says where to look', () => {
    expect(() => resolveModelPath('default-x3-gan')).toThrow("default-x3-gan: no such model file, and no shipped model of that name (see 'enhance models')");
  });
});
