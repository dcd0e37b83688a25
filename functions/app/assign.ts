import type { Deps } from './deps';

/**
 * The expert a new question goes to: round-robin over `EXPERT_ADDRESSES`, by one atomic counter. Round
 * robin rather than "oldest-waiting expert first" because it needs no read-then-write (two questions
 * arriving together never land on the same expert by a race), spreads work evenly without tracking
 * anyone's state, and stays fair when the list changes (the rotation just continues over the new list).
 * Anyone can take a question over in the console; the sweep escalates to everyone at 24 hours anyway.
 */
export async function nextAssignee(deps: Deps): Promise<string | undefined> {
  const experts = deps.settings.expertAddresses;
  if (experts.length === 0) return undefined;
  if (experts.length === 1) return experts[0];
  const turn = await deps.console.nextTurn();
  return experts[(turn - 1) % experts.length];
}
