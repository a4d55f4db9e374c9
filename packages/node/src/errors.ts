/** Domain errors. Services and routers throw these; trpc/error-mapping.ts is the one place they become wire errors. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}
export class UnauthenticatedError extends Error {
  override name = 'UnauthenticatedError';
}
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}
export class ConflictError extends Error {
  override name = 'ConflictError';
}
/** Retryable: the node cannot take this yet (e.g. its roster is not confirmed since it started). */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
/** Too many requests from one caller, with no better hint of when to retry than "later". */
export class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';
}
/** A request body or batch larger than this node takes. */
export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}
