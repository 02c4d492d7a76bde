// Which events a subscription (or a stream) wants. Pure: the facets come from the event, the filter from the
// subscriber. A dimension restricts only events that carry it — a national publication names no province, so a
// province filter does not hide it; a floor-breached notice names one, so it reaches only that province.
import { ReleaseKind } from '../../../proto/gen/bps/standards/v1/changes';
import { publicationEventTypes } from '../../shared/events/subscribable';

export type ReleaseKindFilter = 'any' | 'edition' | 'amendment';

export type EventFilter = {
  readonly eventTypes: readonly string[];
  readonly fieldCodes: readonly string[];
  readonly itemCodes: readonly string[];
  readonly provinceCodes: readonly string[];
  readonly releaseKind: ReleaseKindFilter;
};

/** What an event is about, as far as filters care. Absent = the event does not carry that dimension. */
export type EventFacets = {
  readonly type: string;
  readonly fieldCodes?: readonly string[];
  readonly itemCodes?: readonly string[];
  readonly provinceCodes?: readonly string[];
  readonly releaseKind?: 'edition' | 'amendment';
  readonly releaseId?: string;
};

/** With no event types listed a subscription gets the publications; internal types only when asked for (and allowed). */
export const defaultEventTypes: readonly string[] = publicationEventTypes;

export const emptyFilter: EventFilter = { eventTypes: [], fieldCodes: [], itemCodes: [], provinceCodes: [], releaseKind: 'any' };

export function releaseKindFilterOf(kind: ReleaseKind): ReleaseKindFilter {
  switch (kind) {
    case ReleaseKind.RELEASE_KIND_EDITION:
      return 'edition';
    case ReleaseKind.RELEASE_KIND_AMENDMENT:
      return 'amendment';
    case ReleaseKind.RELEASE_KIND_UNSPECIFIED:
    case ReleaseKind.UNRECOGNIZED:
      return 'any';
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

export function releaseKindOf(filter: ReleaseKindFilter): ReleaseKind {
  switch (filter) {
    case 'edition':
      return ReleaseKind.RELEASE_KIND_EDITION;
    case 'amendment':
      return ReleaseKind.RELEASE_KIND_AMENDMENT;
    case 'any':
      return ReleaseKind.RELEASE_KIND_UNSPECIFIED;
    default: {
      const unreachable: never = filter;
      return unreachable;
    }
  }
}

const restricts = (wanted: readonly string[], carried: readonly string[] | undefined): boolean =>
  wanted.length > 0 && carried !== undefined && !carried.some((c) => wanted.includes(c));

export function matches(filter: EventFilter, facets: EventFacets): boolean {
  const types = filter.eventTypes.length > 0 ? filter.eventTypes : defaultEventTypes;
  if (!types.includes(facets.type)) return false;
  if (restricts(filter.fieldCodes, facets.fieldCodes)) return false;
  if (restricts(filter.itemCodes, facets.itemCodes)) return false;
  if (restricts(filter.provinceCodes, facets.provinceCodes)) return false;
  if (filter.releaseKind !== 'any' && facets.releaseKind !== undefined && facets.releaseKind !== filter.releaseKind) return false;
  return true;
}
