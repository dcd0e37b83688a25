/** Steps the browser tests share: fresh addresses, and subscribers brought to a state through the API. */
import type { LocalStack } from '../../functions/local/stack';
import { emailsTo, header, linkIn, postJson } from '../support/stack';

let counter = 0;

/** An address no other test uses. */
export function uniqueEmail(label: string): string {
  counter += 1;
  return `${label}-${counter}-${process.pid}@example.com`;
}

/** Signs an address up through the API and returns the confirmation link the SES stand-in received. */
export async function confirmLinkFor(stack: LocalStack, email: string, firstName = 'Robin'): Promise<string> {
  const response = await postJson(stack, '/api/subscribe', { email, firstName, timeZone: 'Europe/London' });
  if (response.status !== 202) throw new Error(`signup answered ${response.status}`);
  return latestConfirmLink(stack, email);
}

/** The confirmation link in the newest confirmation email to `email`. */
export async function latestConfirmLink(stack: LocalStack, email: string): Promise<string> {
  const confirmations = (await emailsTo(stack, email)).filter((sent) => /confirm/i.test(sent.subject));
  return linkIn(confirmations.at(-1)?.body.text, `${stack.urls.app}/confirm?token=`);
}

/** The one-click link of the welcome email's `List-Unsubscribe` header (the welcome goes out on confirmation). */
export async function welcomeUnsubscribeLink(stack: LocalStack, email: string): Promise<string> {
  const welcome = (await emailsTo(stack, email)).find((sent) => /welcome/i.test(sent.subject));
  const link = welcome && header(welcome, 'List-Unsubscribe')?.match(/^<(.+)>$/)?.[1];
  if (!link) throw new Error(`no welcome email with a List-Unsubscribe link to ${email}`);
  return link;
}

/** Signs up and confirms through HTTP, as a person who already clicked the link; returns both links. */
export async function confirmedSubscriber(
  stack: LocalStack,
  email: string,
): Promise<{ confirmLink: string; unsubscribeLink: string }> {
  const confirmLink = await confirmLinkFor(stack, email);
  const confirmed = await fetch(confirmLink);
  if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}`);
  return { confirmLink, unsubscribeLink: await welcomeUnsubscribeLink(stack, email) };
}

/** The "manage your course" link in the footer of the welcome email to `email`. */
export async function welcomeManageLink(stack: LocalStack, email: string): Promise<string> {
  const welcome = (await emailsTo(stack, email)).find((sent) => /welcome/i.test(sent.subject));
  return linkIn(welcome?.body.text, `${stack.urls.app}/manage?token=`);
}
