import type { Scenario } from '../scenario.js';
import { apiGraphqlScenario } from './api-graphql.js';
import { replayScenario } from './replay.js';
import { storeImportScenario } from './store/store-import.js';
import { storeLogScenario } from './store/store-log.js';
import { storeSubscribeScenario } from './store/store-subscribe.js';
import { storeTimeTravelScenario } from './store/store-time-travel.js';
import { traceScenario } from './trace.js';
import { webReplayScenario } from './web-replay.js';

/**
 * Every scenario `npm run bench` runs, in order. To add one: write `src/scenarios/<name>.ts`
 * exporting a `Scenario`, and list it here.
 */
export const scenarios: Scenario[] = [
  replayScenario,
  traceScenario,
  storeLogScenario,
  storeTimeTravelScenario,
  storeSubscribeScenario,
  storeImportScenario,
  apiGraphqlScenario,
  webReplayScenario,
];
