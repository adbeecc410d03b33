import type { EventStore } from '@pasid/store';
import { AuditService } from './audit/audit.service.js';
import type { Caller } from './auth/roles.js';
import type { ApiConfig } from './config.js';
import { DivergenceService } from './divergence/divergence.service.js';
import { apiError } from './errors.js';
import { EventService } from './event/event.service.js';
import { HazardService } from './hazard/hazard.service.js';
import { LanesService } from './lanes/lanes.service.js';
import type { LifetimesCache } from './lanes/lifetimes-cache.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { WorkGate } from './ops/work-gate.js';
import { RecordService } from './record/record.service.js';
import { StateService } from './state/state.service.js';
import type { StateCache } from './state/state-cache.js';
import { SubscriptionService } from './subscription/subscription.service.js';
import { SystemService } from './system/system.service.js';

export interface Services {
  systems: SystemService;
  state: StateService;
  events: EventService;
  record: RecordService;
  audit: AuditService;
  subscriptions: SubscriptionService;
  divergence: DivergenceService;
  hazards: HazardService;
  lanes: LanesService;
}

/** What every resolver gets: who calls, and services over fresh per-request loaders. */
export interface ApiContext {
  caller: Caller;
  /** The name recorded as the events' actor: the caller's key name. */
  actor(): string;
  loaders: Loaders;
  services: Services;
}

/** What lives as long as the server: the store, the config, the state cache, the long-work gate. */
export interface ApiDeps {
  store: EventStore;
  config: ApiConfig;
  /** States by version, shared by the state subscriptions of this process. */
  states: StateCache;
  /** Lifetimes (and their lanes) by system, version and policy, for the lanes query. */
  lifetimes: LifetimesCache;
  /** Bounds verifyLog and replays per process and per key. */
  longWork: WorkGate;
}

export function createContext(deps: ApiDeps, caller: Caller): ApiContext {
  const { loaders, services } = createServices(deps, caller.key?.name ?? '');
  return {
    caller,
    actor() {
      // Writes are @Authorized, so a key is present; this guards against a resolver missing it.
      if (!caller.key) throw apiError('UNAUTHENTICATED', 'writes need an API key');
      return caller.key.name;
    },
    loaders,
    services,
  };
}

/** Services over one fresh set of loaders: one request's worth of caching. */
function createServices(deps: ApiDeps, callerName: string): { loaders: Loaders; services: Services } {
  const longWork = <T>(what: string, work: () => Promise<T>) => deps.longWork.run(callerName, what, work);
  const { store, config } = deps;
  const loaders = createLoaders(store);
  const systems = new SystemService(store, loaders);
  const state = new StateService(store, systems, deps.states, longWork);
  return {
    loaders,
    services: {
      systems,
      state,
      events: new EventService(store, loaders, systems, config),
      record: new RecordService(store, systems),
      audit: new AuditService(store, systems, longWork),
      divergence: new DivergenceService(store, loaders, systems, longWork),
      hazards: new HazardService(store),
      lanes: new LanesService(systems, deps.lifetimes, longWork),
      // A subscription lives long: each state it sends is read with loaders of its own.
      subscriptions: new SubscriptionService(
        store,
        systems,
        // Not gated: each state it sends is one the log has just reached (the state cache shares it).
        () => {
          const own = createLoaders(store);
          return new StateService(store, new SystemService(store, own), deps.states, (_what, work) => work());
        },
      ),
    },
  };
}
