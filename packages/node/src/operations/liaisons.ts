import type { Member } from '@citylink/protocol';
import type { Recipient } from '../notifications/notifier.js';

/**
 * Who hears that a city has gone quiet. Until the preparedness `liaison` records
 * land, the hub knows one address per city: the contact it enrolled with (the
 * city's administrator). Every caller goes through this one function, so the
 * switch to liaison records happens here only.
 */
export function liaisonsOf(member: Pick<Member, 'contact'> | undefined): Recipient[] {
  const contact = member?.contact?.trim();
  return contact && /^[^@\s]+@[^@\s]+$/.test(contact) ? [{ email: contact }] : [];
}
