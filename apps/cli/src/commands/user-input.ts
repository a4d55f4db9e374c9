import { UsageError } from '../errors.js';

export const MIN_PASSWORD_LENGTH = 12;

export function parseRoles<R extends string>(value: string, allowed: readonly R[]): R[] {
  const roles = value
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (roles.length === 0) throw new UsageError(`--roles: give at least one of ${allowed.join(', ')}`);
  const unknown = roles.filter((r) => !(allowed as readonly string[]).includes(r));
  if (unknown.length > 0) {
    throw new UsageError(`--roles: unknown role(s) ${unknown.join(', ')} (known: ${allowed.join(', ')})`);
  }
  return [...new Set(roles)] as R[];
}

export function checkUsername(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/.test(value)) {
    throw new UsageError(
      `--username: ${JSON.stringify(value)} must be 1-100 letters, digits, dots, dashes, underscores or @`,
    );
  }
  return value;
}

export function checkPassword(value: string): string {
  if (value.length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`passwords must be at least ${MIN_PASSWORD_LENGTH} characters (got ${value.length})`);
  }
  if (value.length > 1000) throw new UsageError('passwords must be at most 1000 characters');
  return value;
}
