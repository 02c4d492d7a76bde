// UI strings: Chinese first, English switchable (cookie bps_lang or ?lang=). Every page text is a message in the one
// catalogue below (tables per page family in this folder), looked up by id through the page's `t` (translator(lang)).
import { provinceName } from '../provinces';
import { basisLabel as sharedBasisLabel, unitLabel as sharedUnitLabel } from '../../../shared/standards/units';
import { auditMessages } from './audit';
import { codeMessages } from './codes';
import { commonMessages } from './common';
import { consultationMessages } from './consultation';
import { cycleMessages } from './cycle';
import { editionMessages } from './edition';
import { inboxMessages } from './inbox';
import { monitoringMessages } from './monitoring';
import { programmeMessages } from './programme';
import { proposalMessages } from './proposal';
import { standardsMessages } from './standards';
import { subscriptionMessages } from './subscription';
import { workMessages } from './work';
import type { Lang, Messages, MismatchedPlaceholders, ParamValue, Placeholders } from './types';

export type { Lang } from './types';

/** The one catalogue: every family's table, merged. A message id names its page family (`cycle.ceiling`). */
export const catalogue = {
  ...commonMessages,
  ...codeMessages,
  ...auditMessages,
  ...consultationMessages,
  ...cycleMessages,
  ...editionMessages,
  ...inboxMessages,
  ...monitoringMessages,
  ...programmeMessages,
  ...proposalMessages,
  ...standardsMessages,
  ...subscriptionMessages,
  ...workMessages,
} as const satisfies Messages;

export type MessageId = keyof typeof catalogue;

/** The parameters a message takes (its {name} placeholders). */
export type MessageParams<K extends MessageId> = Placeholders<(typeof catalogue)[K]['zh']>;

// Fails to compile when a message's Chinese and English texts use different placeholders.
const placeholdersAgree: [MismatchedPlaceholders<typeof catalogue>] extends [never] ? true : MismatchedPlaceholders<typeof catalogue> = true;
void placeholdersAgree;

/** Looks a message up in one language: `t('proposal.submit')`, `t('audit.recordsInOrder', { count })`. */
export type Translate = <K extends MessageId>(
  id: K,
  ...params: [MessageParams<K>] extends [never] ? [] : [params: Readonly<Record<MessageParams<K>, ParamValue>>]
) => string;

/** A message's text in a language, with its {name} placeholders filled in. */
export function message(lang: Lang, id: MessageId, params: Readonly<Record<string, ParamValue>> = {}): string {
  return catalogue[id][lang].replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = params[name];
    return value === undefined ? placeholder : String(value);
  });
}

export function translator(lang: Lang): Translate {
  return ((id: MessageId, params?: Readonly<Record<string, ParamValue>>) => message(lang, id, params)) as Translate;
}

export function pickLang(query: unknown, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'en' || query === 'zh') return query;
  if (cookie === 'en' || cookie === 'zh') return cookie;
  // Chinese is the default; English only when the browser asks for it first.
  return /^en\b/i.test(acceptLanguage ?? '') ? 'en' : 'zh';
}

/** The groups of code labels: message `<group>.<code>` labels a code (`enum.COMPARATOR_GTE`, `cycle.phaseLabel.released`). */
export const labelGroups = [
  'enum',
  'event',
  'organisation',
  'role',
  'cycle.phaseLabel',
  'cycle.entryLabel',
  'cycle.evaluationKindLabel',
  'inbox.positionLabel',
  'inbox.statusLabel',
  'programme.levelLabel',
  'programme.kindLabel',
  'programme.stageLabel',
  'programme.pilotTypeLabel',
  'programme.pilotStatusLabel',
  'programme.taskLabel',
  'programme.taskStatusLabel',
  'programme.evaluationKindLabel',
  'programme.actionLabel',
  'programme.stepLabel',
  'proposal.triggerLabel',
  'proposal.stateLabel',
  'monitoring.stateLabel',
] as const;

export type LabelGroup = (typeof labelGroups)[number];

const isMessageId = (id: string): id is MessageId => Object.hasOwn(catalogue, id);

/** A code's label from its group's messages; the code itself when the catalogue does not know it. */
export function labelFrom(lang: Lang, group: LabelGroup, code: string): string {
  const id = `${group}.${code}`;
  return isMessageId(id) ? message(lang, id) : code;
}

/** The codes a group labels, in the catalogue's order. */
export function codesOf(group: LabelGroup): string[] {
  const prefix = `${group}.`;
  return Object.keys(catalogue)
    .filter((id) => id.startsWith(prefix))
    .map((id) => id.slice(prefix.length));
}

export function eventTypeLabel(lang: Lang, type: string): string {
  return labelFrom(lang, 'event', type);
}

export function organisationLabel(lang: Lang, code: string): string {
  if (/^\d{6}$/.test(code)) return provinceName(code, lang);
  return labelFrom(lang, 'organisation', code);
}

export function enumLabel(lang: Lang, value: string | number | undefined): string {
  if (value === undefined) return '—';
  return labelFrom(lang, 'enum', String(value));
}

export function roleLabel(lang: Lang, role: string): string {
  return labelFrom(lang, 'role', role);
}

/** Metric units and bases as people read them (the one table: services/shared/standards/units.ts). */
export function unitLabel(lang: Lang, unit: string): string {
  return sharedUnitLabel(lang, unit);
}

export function basisLabel(lang: Lang, basis: string): string {
  return sharedBasisLabel(lang, basis);
}
