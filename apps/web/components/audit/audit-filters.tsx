import { DERIVED_EVENT_TYPES, INPUT_EVENT_TYPES } from '@pasid/domain';
import type { EventFilter } from '@/lib/ledger/types';

/** Every event type of the log, input then derived: the domain's lists. */
const TYPES = [...INPUT_EVENT_TYPES, ...DERIVED_EVENT_TYPES];

const local = (iso: string | undefined) => (iso ? iso.slice(0, 19) : '');

/** A plain GET form: the filtered log is a link. */
export function AuditFilters({ filter }: { filter: EventFilter }) {
  return (
    <form method="get" action="/audit" className="filters" data-testid="audit-filters">
      <label>
        System
        <input name="system" defaultValue={filter.system ?? ''} placeholder="all" size={14} />
      </label>
      <label>
        Type
        <input
          name="type"
          list="event-types"
          defaultValue={filter.types?.join(',') ?? ''}
          placeholder="any"
          size={16}
        />
        <datalist id="event-types">
          {TYPES.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </label>
      <label>
        Kind
        <select name="kind" defaultValue={filter.kind ?? ''}>
          <option value="">any</option>
          <option value="INPUT">input</option>
          <option value="DERIVED">derived</option>
        </select>
      </label>
      <label>
        Actor
        <input name="actor" defaultValue={filter.actor ?? ''} placeholder="any" size={10} />
      </label>
      <label>
        Correlation
        <input name="correlation" defaultValue={filter.correlationId ?? ''} placeholder="any" size={14} />
      </label>
      <label>
        Recorded from (UTC)
        <input type="datetime-local" step={1} name="from" defaultValue={local(filter.from)} />
      </label>
      <label>
        to (UTC)
        <input type="datetime-local" step={1} name="to" defaultValue={local(filter.to)} />
      </label>
      <button type="submit" className="primary">
        Filter
      </button>
      <a className="button" href="/audit">
        Clear
      </a>
    </form>
  );
}
