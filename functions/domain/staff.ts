/**
 * The people who work the console: experts answer questions, operators run the course. Who is which
 * comes from configuration alone, read on every request, so removing an address ends its access at once.
 */
import { createHash } from 'node:crypto';

/** What a signed-in person may do: answer questions (expert), or also see operator pages (operator). */
export type StaffRole = 'expert' | 'operator';

/** A signed-in person, as the console's routes see them. */
export interface Staff {
  email: string;
  roles: StaffRole[];
  /** The session they are signed in with (signing out ends it). */
  sessionId: string;
}

/** A console session as it is stored: who, and until when. */
export interface StaffSession {
  id: string;
  email: string;
  expiresAt: string;
}

/** The lists of staff addresses (lower-case), as settings hold them. */
export interface StaffLists {
  expertAddresses: string[];
  operatorAddresses: string[];
}

/** The roles an address has; none for anyone who is not staff. */
export function rolesOf(lists: StaffLists, email: string): StaffRole[] {
  const address = email.trim().toLowerCase();
  const roles: StaffRole[] = [];
  if (lists.expertAddresses.includes(address)) roles.push('expert');
  if (lists.operatorAddresses.includes(address)) roles.push('operator');
  return roles;
}

/** A short, stable name for a staff address in logs and ids (never the address itself). */
export function staffKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16);
}

/** How someone is shown to colleagues: the part of the address before the `@`. */
export function staffName(email: string): string {
  return email.slice(0, Math.max(0, email.indexOf('@'))) || email;
}
