import { SignObjectError } from '@citylink/crypto';
import { unreachableReason } from '@citylink/store';
import { TRPCError } from '@trpc/server';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  TooManyRequestsError,
  UnauthenticatedError,
  UnavailableError,
} from '../errors.js';
import { RosterError, StaleRosterError } from '../membership/roster-state.js';

/** Most specific first: a subclass must come before the class it extends. */
const CODES: [new (...a: never[]) => Error, TRPCError['code']][] = [
  [StaleRosterError, 'CONFLICT'],
  [RosterError, 'BAD_REQUEST'],
  [NotFoundError, 'NOT_FOUND'],
  [ForbiddenError, 'FORBIDDEN'],
  [UnauthenticatedError, 'UNAUTHORIZED'],
  [InvalidInputError, 'BAD_REQUEST'],
  [SignObjectError, 'BAD_REQUEST'],
  [ConflictError, 'CONFLICT'],
  [RateLimitedError, 'TOO_MANY_REQUESTS'],
  [TooManyRequestsError, 'TOO_MANY_REQUESTS'],
  [PayloadTooLargeError, 'PAYLOAD_TOO_LARGE'],
  [UnavailableError, 'SERVICE_UNAVAILABLE'],
];

/** Domain errors become TRPCErrors here and nowhere else; anything else is left as it is (a 500). */
export function toTRPCError(err: unknown): unknown {
  if (err instanceof TRPCError) return err;
  for (const [cls, code] of CODES) {
    if (err instanceof cls) return new TRPCError({ code, message: err.message, cause: err });
  }
  // A hub process that lost its database (down, failing over): 503 with the reason, retried by senders.
  const unreachable = unreachableReason(err);
  if (unreachable !== undefined) {
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: `database unavailable: ${unreachable}`, cause: err });
  }
  return err;
}
