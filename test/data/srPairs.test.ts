import { describe, expect, it } from 'vitest';
import { pairingKey } from '../../src/data/srPairs.js';

describe('pairingKey', () => {
  it('pairs the naming schemes SR datasets use', () => {
    expect(pairingKey('baby.png', 4)).toBe(pairingKey('babyx4.png', 4));
    expect(pairingKey('0801.png', 4)).toBe(pairingKey('0801x4.png', 4));
    expect(pairingKey('img_001_SRF_4_HR.png', 4)).toBe(pairingKey('img_001_SRF_4_LR.png', 4));
    expect(pairingKey('sub/Baby_HR.png', 2)).toBe(pairingKey('sub/baby_x2.jpg', 2));
  });

  it('keeps different images apart', () => {
    expect(pairingKey('baby.png', 4)).not.toBe(pairingKey('bird.png', 4));
    expect(pairingKey('a/baby.png', 4)).not.toBe(pairingKey('b/baby.png', 4));
    expect(pairingKey('img_001_SRF_4_HR.png', 4)).not.toBe(pairingKey('img_002_SRF_4_LR.png', 4));
  });
});
