import type { Engine } from './db.js';

/** Each open Store's engine, for the test helpers in `testing.ts` only: the main entry does not export this. */
const engines = new WeakMap<object, Engine>();

export function registerEngine(store: object, engine: Engine): void {
  engines.set(store, engine);
}

export function engineOfStore(store: object): Engine {
  const engine = engines.get(store);
  if (!engine) throw new Error('not a Store');
  return engine;
}
