import { SignObjectError } from '@citylink/crypto';
import { TRPCError } from '@trpc/server';

/** Domain errors. Routers throw these; `toTRPCError` is the one place they become wire errors. */
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

export function toTRPCError(err: unknown): unknown {
  if (err instanceof TRPCError) return err;
  const map: [new (...a: never[]) => Error, TRPCError['code']][] = [
    [NotFoundError, 'NOT_FOUND'],
    [ForbiddenError, 'FORBIDDEN'],
    [UnauthenticatedError, 'UNAUTHORIZED'],
    [InvalidInputError, 'BAD_REQUEST'],
    [SignObjectError, 'BAD_REQUEST'],
    [ConflictError, 'CONFLICT'],
    [RateLimitedError, 'TOO_MANY_REQUESTS'],
    [UnavailableError, 'SERVICE_UNAVAILABLE'],
  ];
  for (const [cls, code] of map) {
    if (err instanceof cls) return new TRPCError({ code, message: err.message, cause: err });
  }
  return err;
}
