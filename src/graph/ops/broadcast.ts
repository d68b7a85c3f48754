import type { Shape } from '../shape.js';
import type { Value } from '../value.js';
import { reduceSum } from './reduce.js';
import { squeeze } from './shape.js';

/**
 * Sum a gradient over the axes along which an operand of shape `target` was broadcast, so the gradient
 * has the operand's shape. An axis counts as broadcast when the operand lacks it or has a static 1
 * there while the gradient does not (a symbolic operand dim is assumed not to be 1).
 */
export function sumToShape(gradient: Value, target: Shape): Value {
  const rankGap = gradient.rank - target.length;
  const axes: number[] = [];
  for (let i = 0; i < gradient.rank; i++) {
    if (i < rankGap) axes.push(i);
    else if (target[i - rankGap] === 1 && gradient.shape[i] !== 1) axes.push(i);
  }
  const reduced = axes.length > 0 ? reduceSum(gradient, axes, true) : gradient;
  return rankGap > 0 ? squeeze(reduced, [...Array(rankGap).keys()]) : reduced;
}
