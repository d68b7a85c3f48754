import type { Graph } from '../graph/graph.js';
import type { TensorData } from '../graph/tensorData.js';
import type { Value } from '../graph/value.js';
import type { StateDict } from './buildContext.js';

/**
 * Fixed weights (a frozen feature extractor's) as graph constants, one constant per tensor and graph
 * however often the network is applied in that graph (both pictures of a perceptual loss share them).
 */
export function sharedConstants(weights: StateDict): (graph: Graph) => (key: string) => Value {
  const byGraph = new WeakMap<Graph, Map<string, Value>>();
  return (graph) => {
    let constants = byGraph.get(graph);
    if (!constants) {
      constants = new Map();
      byGraph.set(graph, constants);
    }
    const cache = constants;
    return (key) => {
      let value = cache.get(key);
      if (!value) {
        value = graph.constant(weights.get(key) as TensorData);
        cache.set(key, value);
      }
      return value;
    };
  };
}
