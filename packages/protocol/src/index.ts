export * from './canonical.js';
export * from './city-profile.js';
export * from './encoding.js';
export * from './funding-annex.js';
export * from './ids.js';
export * from './limits.js';
export * from './objects.js';
export * from './operations.js';
export * from './preparedness.js';
export * from './preparedness-kinds.js';
export {
  type Ed25519PublicJwk,
  Ed25519PublicJwkSchema,
  NodeIdSchema,
  ObjectIdSchema,
  PersonSchema,
  PROTOCOL_VERSION,
  TimestampSchema,
  TlpSchema,
} from './primitives.js';
export * from './red-directory.js';
export * from './scorecard.js';
export * from './scorecard-model.js';
export { addMonths, electionCycleStart, monthsSince } from './scorecard-time.js';
export * from './search.js';
export * from './statement-objects.js';
export * from './taxonomy.js';
export * from './tlp.js';
