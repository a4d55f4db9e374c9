export * from './canonical.js';
export * from './encoding.js';
export * from './ids.js';
export * from './limits.js';
export * from './objects.js';
export * from './search.js';
export * from './taxonomy.js';
export * from './tlp.js';
