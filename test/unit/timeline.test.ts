import { describe, expect, it } from 'vitest';
import { templates } from '../../functions/compose';
import { courseSteps } from '../../functions/domain/course';
import { plannedSendMillis } from '../../functions/domain/schedule';
import { confirmSubscriber, newSubscriber, type Subscriber } from '../../functions/domain/subscriber';
import { laterEmails, nextEmail } from '../../functions/domain/timeline';

const steps = courseSteps(templates.manifest);
const lesson1 = steps.findIndex((step) => step.key === 'lesson-1');

/** Ann, confirmed Monday 2 March 2026 in Kathmandu for 08:00, now waiting for lesson 1. */
function ann(): Subscriber {
  const pending = newSubscriber(
    'ann',
    { email: 'ann@example.com', firstName: 'Ann', timeZone: 'Asia/Kathmandu', sendHour: 8 },
    new Date('2026-03-02T03:00:00Z'),
  );
  const confirmed = confirmSubscriber(pending, steps, new Date('2026-03-02T03:00:00Z'));
  return { ...confirmed, step: lesson1 };
}

describe("the operator's lookup: when the next email is due, and why", () => {
  it('explains the plan from the latest change of hour, not from the confirmation', () => {
    // On Wednesday she moved to 18:00: her plan now runs from Wednesday.
    const moved = { ...ann(), sendHour: 18, anchorAt: '2026-03-04T03:00:00Z' };
    const anchor = { timeZone: moved.timeZone, sendHour: 18, confirmedAt: moved.anchorAt };
    const due = new Date(plannedSendMillis(steps, lesson1, anchor)).toISOString();
    expect(nextEmail({ ...moved, nextSendAt: due }, steps)).toEqual({
      key: 'lesson-1',
      at: due,
      timeZone: 'Asia/Kathmandu',
      why: 'day 1 of the course, at 18:00 their time',
    });
    const later = laterEmails(moved, steps);
    expect(later[0]).toEqual({
      key: steps[lesson1 + 1]!.key,
      at: new Date(plannedSendMillis(steps, lesson1 + 1, anchor)).toISOString(),
    });
  });

  it('names a pause as the reason an email comes later than planned', () => {
    const paused = { ...ann(), pausedUntil: '2026-03-10T00:00:00Z', nextSendAt: '2026-03-10T02:15:00Z' };
    expect(nextEmail(paused, steps)).toMatchObject({
      why: 'day 1 of the course, at 08:00 their time, after the pause they asked for',
    });
  });
});
