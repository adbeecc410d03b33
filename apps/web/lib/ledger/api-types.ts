/** The API's wire shapes, exactly as the selections in fragments.ts return them. */

export interface ApiSystem {
  name: string;
  policy: string;
  maxPasid: number;
  version: number;
  eventCount: number;
  livePasids: number;
  hazardCount: number;
}

export interface ApiState {
  policy: string;
  events: number;
  pasids: { pasid: number; pid: number; refcount: number | null; devices: string[] }[];
  tasks: { tid: number; pid: number; msr: number | null }[];
  processes?: {
    pid: number;
    parent: number | null;
    tasks: number[];
    pasid: number | null;
    bonds: { device: string; count: number }[];
  }[];
  freed: number[];
  /** Absent from the step states of the replay (StepStateFields). */
  hazards?: {
    code: string;
    event: number;
    tid: number | null;
    pid: number | null;
    device: string | null;
    pasid: number | null;
  }[];
}

export interface ApiEvent {
  id: string;
  position: number | string;
  system: string;
  version: number;
  index: number;
  kind: string;
  type: string;
  data: unknown;
  /** The audit fields are absent from the timeline's lighter selection. */
  actor?: string | null;
  correlationId?: string | null;
  causationId?: string | null;
  recordedAt: string;
  observedAt?: string | null;
  hash: string;
}

/** The timeline's selection (TimelineEventFields). */
export interface ApiTimelineEvent {
  position: number | string;
  version: number;
  index: number;
  kind: string;
  type: string;
  data: unknown;
  derived?: ApiTimelineEvent[];
}
