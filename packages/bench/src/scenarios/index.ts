import type { Scenario } from '../scenario.js';
import { replayScenario } from './replay.js';
import { storeLogScenario } from './store/store-log.js';

/**
 * Every scenario `npm run bench` runs, in order. To add one: write `src/scenarios/<name>.ts`
 * exporting a `Scenario`, and list it here.
 */
export const scenarios: Scenario[] = [replayScenario, storeLogScenario];
