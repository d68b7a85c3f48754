import { describe, expect, it } from 'vitest';
import { chooseStateDict } from '../../src/weights/stateDictWrappers.js';

/** Stand-in tensors: the function only needs to tell tensors from everything else. */
class Tensor {
  constructor(readonly id: string) {}
}
const isTensor = (value: unknown): value is Tensor => value instanceof Tensor;
const dict = (entries: Record<string, unknown>) => new Map(Object.entries(entries));
const names = (state: Map<string, Tensor>) => [...state].map(([name, tensor]) => `${name}=${tensor.id}`);

describe('chooseStateDict', () => {
  it('takes a plain state dict as it is, dropping non-tensor values', () => {
    const checkpoint = dict({ 'conv.weight': new Tensor('w'), 'conv.bias': new Tensor('b'), note: 'hello' });
    expect(names(chooseStateDict(checkpoint, isTensor))).toEqual(['conv.weight=w', 'conv.bias=b']);
  });

  it("prefers BasicSR's params_ema over params, whatever their order", () => {
    const checkpoint = dict({ params: dict({ w: new Tensor('raw') }), params_ema: dict({ w: new Tensor('ema') }) });
    expect(names(chooseStateDict(checkpoint, isTensor))).toEqual(['w=ema']);
  });

  it.each(['params', 'state_dict', 'model', 'net_g'])("unwraps the weights under '%s', ignoring the training state beside them", (key) => {
    const checkpoint = dict({ epoch: 3, optimizer: dict({ state: dict({ exp_avg: new Tensor('slot') }) }), [key]: dict({ w: new Tensor('w') }) });
    expect(names(chooseStateDict(checkpoint, isTensor))).toEqual(['w=w']);
  });

  it('skips a wrapper key that holds no tensors', () => {
    const checkpoint = dict({ params_ema: dict({}), params: dict({ w: new Tensor('raw') }) });
    expect(names(chooseStateDict(checkpoint, isTensor))).toEqual(['w=raw']);
  });

  it("joins the names of nested dicts with '.'", () => {
    const checkpoint = dict({ body: dict({ '0': dict({ weight: new Tensor('a') }), '1': dict({ weight: new Tensor('b') }) }) });
    expect(names(chooseStateDict(checkpoint, isTensor))).toEqual(['body.0.weight=a', 'body.1.weight=b']);
  });

  it("strips DataParallel's 'module.' prefix when every name has it", () => {
    const checkpoint = dict({ 'module.conv.weight': new Tensor('w'), 'module.conv.bias': new Tensor('b') });
    expect(names(chooseStateDict(checkpoint, isTensor))).toEqual(['conv.weight=w', 'conv.bias=b']);
  });

  it("keeps 'module.' when only some names have it (then it is part of the network's names)", () => {
    const checkpoint = dict({ 'module.conv.weight': new Tensor('w'), 'head.bias': new Tensor('b') });
    expect(names(chooseStateDict(checkpoint, isTensor))).toEqual(['module.conv.weight=w', 'head.bias=b']);
  });

  it('survives a dict that contains itself, as a pickle can hold', () => {
    const checkpoint = dict({ w: new Tensor('w') });
    checkpoint.set('self', checkpoint);
    expect(names(chooseStateDict(dict({ model: checkpoint }), isTensor))).toEqual(['w=w']);
  });

  it('is empty for a checkpoint without tensors or one that is not a dict', () => {
    expect(chooseStateDict(dict({ epoch: 3 }), isTensor).size).toBe(0);
    expect(chooseStateDict([new Tensor('w')], isTensor).size).toBe(0);
  });
});
