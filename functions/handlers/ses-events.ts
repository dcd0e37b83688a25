/** Lambda entry point of the SES events (configuration set → EventBridge rule, or an SNS topic). */
import { jsonLog } from '../adapters/json-log';
import { handleSesEvents } from '../app/handle-ses-event';
import { cloudDeps } from '../compose';

const { deps } = await cloudDeps(jsonLog('ses-events'));

/** Suppresses, counts or records what each event says; a store failure throws, so the event is retried. */
export const handler = async (event: unknown) => handleSesEvents(deps, event);
