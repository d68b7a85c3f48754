/**
 * Where the weights sit inside a checkpoint. Training code wraps a network's state dict in a dict of its
 * own: BasicSR and Real-ESRGAN save {'params_ema': ..., 'params': ...} (the EMA weights are the ones
 * published results use), other projects 'state_dict', 'model' or 'net_g', and many files are the state
 * dict itself. nn.DataParallel prefixes every name with 'module.'.
 */

/** Keys that hold the weights, most preferred first. */
export const WEIGHT_KEYS = ['params_ema', 'params', 'state_dict', 'model', 'net_g'] as const;

const DATA_PARALLEL_PREFIX = 'module.';

function holdsTensor<T>(value: unknown, isTensor: (value: unknown) => value is T, seen = new Set<unknown>()): boolean {
  if (isTensor(value)) return true;
  if (!(value instanceof Map) || seen.has(value)) return false; // a pickle may hold a dict that contains itself
  seen.add(value);
  return [...value.values()].some((entry) => holdsTensor(entry, isTensor, seen));
}

/**
 * Nested dicts of tensors as one flat dict with '.'-joined names; values that are not tensors are
 * dropped, and so is a dict nested inside itself (`enclosing`: the dicts on the path from the root).
 */
function flatten<T>(dict: Map<unknown, unknown>, isTensor: (value: unknown) => value is T, prefix: string, out: Map<string, T>, enclosing = new Set<unknown>()): Map<string, T> {
  enclosing.add(dict);
  for (const [key, value] of dict) {
    const name = `${prefix}${String(key)}`;
    if (isTensor(value)) out.set(name, value);
    else if (value instanceof Map && !enclosing.has(value)) flatten(value, isTensor, `${name}.`, out, enclosing);
  }
  enclosing.delete(dict);
  return out;
}

/**
 * The network weights in an unpickled checkpoint (dicts as Maps), by state-dict name: the first of
 * `WEIGHT_KEYS` that holds tensors, else the checkpoint itself; nested dicts flattened with '.'; the
 * 'module.' prefix removed when every name has it. Empty when the checkpoint holds no tensors.
 */
export function chooseStateDict<T>(checkpoint: unknown, isTensor: (value: unknown) => value is T): Map<string, T> {
  if (!(checkpoint instanceof Map)) return new Map();
  const wrapperKey = WEIGHT_KEYS.find((key) => checkpoint.get(key) instanceof Map && holdsTensor(checkpoint.get(key), isTensor));
  const weights = flatten(wrapperKey ? checkpoint.get(wrapperKey) : checkpoint, isTensor, '', new Map());
  const names = [...weights.keys()];
  if (names.length === 0 || !names.every((name) => name.startsWith(DATA_PARALLEL_PREFIX))) return weights;
  return new Map([...weights].map(([name, tensor]) => [name.slice(DATA_PARALLEL_PREFIX.length), tensor]));
}
