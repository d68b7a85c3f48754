import { defineOp } from '../opDefinition.js';
import { formatShape } from '../shape.js';
import { int64Tensor } from '../tensorData.js';
import type { Value } from '../value.js';
import { unsqueeze, zerosLike } from './shape.js';

/** ScatterND with reduction 'add' (opset 16): the gradient of a gather, adding where indices repeat. */
export const ScatterAddOp = defineOp({ type: 'ScatterND' });

export const GatherOp = defineOp({
  type: 'Gather',
  gradient: ({ inputs: [table, indices], gradOutputs: [dy] }) => {
    // Rows of the table gathered several times (a relative-position index repeats every offset) sum their gradients.
    const positions = unsqueeze(indices!, [indices!.rank]);
    return [table!.graph.addNode(ScatterAddOp, [zerosLike(table!), positions, dy!], { reduction: 'add' }, [{ dtype: 'float32', shape: table!.shape }])[0], undefined];
  },
});

/**
 * Rows of `table` ([T, ...]) picked by a constant index list of any shape: the result is
 * [...indices shape, ...table's other axes] (a learned relative-position bias from its table).
 */
export function gatherRows(table: Value, indices: { data: readonly number[]; shape: readonly number[] }): Value {
  const rows = table.shape[0];
  if (typeof rows === 'number' && indices.data.some((i) => i < 0 || i >= rows || !Number.isInteger(i))) {
    throw new RangeError(`Gather: an index lies outside the ${rows} rows of ${formatShape(table.shape)}`);
  }
  const index = table.graph.constant(int64Tensor([...indices.data], [...indices.shape]));
  return table.graph.addNode(GatherOp, [table, index], { axis: 0 }, [{ dtype: table.dtype, shape: [...indices.shape, ...table.shape.slice(1)] }])[0];
}
