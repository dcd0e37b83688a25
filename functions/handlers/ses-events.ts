/** Lambda entry point of the SES events (configuration set → EventBridge rule → this function). */
import { jsonLog } from '../adapters/json-log';
import { handleSesEvent } from '../app/handle-ses-event';
import { cloudDeps } from '../compose';

// It signs and verifies nothing, so it is not given the signing secret and does not load it.
const { deps } = await cloudDeps(jsonLog('ses-events'), { signs: false });

/** Suppresses, counts or records what the event says; a store failure throws, so the event is retried. */
export const handler = async (event: unknown) => ({ outcome: await handleSesEvent(deps, event) });
