export * from './database.js';
export * from './entities.js';
export * from './store.js';
export * from './testing.js';
