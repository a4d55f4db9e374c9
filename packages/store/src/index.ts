export * from './database.js';
export * from './entities.js';
export { DatabaseInUseError } from './node-lock.js';
export * from './store.js';
export * from './testing.js';
