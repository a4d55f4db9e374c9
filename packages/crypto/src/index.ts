export * from './bundle.js';
export * from './cosign.js';
export * from './key-ring.js';
export * from './keys.js';
export * from './request-token.js';
export * from './sign.js';
export * from './verify.js';
export * from './verify-pool.js';
