import type { LiaisonBody, Member } from '@citylink/protocol';
import type { Recipient } from '../notifications/notifier.js';

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/**
 * Who hears that a city has gone quiet: the cybersecurity liaisons the city has
 * named in its preparedness `liaison` records (those with a work e-mail), each
 * address once. A city that has named none falls back to the contact it enrolled
 * with (its administrator). Every caller goes through this one function.
 */
export function liaisonsOf(
  liaisons: readonly Pick<LiaisonBody, 'workContact'>[],
  member: Pick<Member, 'contact'> | undefined,
): Recipient[] {
  const named = [...new Set(liaisons.map((l) => l.workContact.trim()).filter((c) => EMAIL.test(c)))];
  if (named.length > 0) return named.map((email) => ({ email }));
  const contact = member?.contact?.trim();
  return contact && EMAIL.test(contact) ? [{ email: contact }] : [];
}
