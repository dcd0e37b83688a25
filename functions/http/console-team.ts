/** The operators' page of the console: who has access, and the addresses questions escalate to. */
import { Hono } from 'hono';
import type { Deps } from '../app/deps';
import { type ConsoleEnv, requireStaff } from './console-auth';
import { consolePage, h } from './console-layout';

/** `/console/team`: operators only. */
export function teamRoutes(deps: Deps): Hono<ConsoleEnv> {
  return new Hono<ConsoleEnv>().use('*', requireStaff(deps, { role: 'operator' })).get('/', (c) => {
    const { expertAddresses, operatorAddresses, backupAddress } = deps.settings;
    const list = (addresses: string[]) =>
      addresses.length > 0 ? h`<ul>${addresses.map((a) => h`<li>${a}</li>`)}</ul>` : h`<p>None.</p>`;
    return consolePage(c, {
      title: 'Team',
      staff: c.get('staff'),
      body: h`<h1>Team</h1>
<p class="hint">Set in configuration: EXPERT_ADDRESSES, OPERATOR_ADDRESSES, BACKUP_ADDRESS. Removing an address ends its sessions at once.</p>
<h2>Experts</h2>${list(expertAddresses)}
<h2>Operators</h2>${list(operatorAddresses)}
<h2>Backup (told at 24 hours)</h2>${list(backupAddress ? [backupAddress] : [])}`,
    });
  });
}
