// Unit: the console's message catalogue (services/gateway/web/i18n): every message in both languages, the same
// placeholders in each, one table per page family merged without overwriting, and placeholders filled in.
import { describe, expect, it } from 'vitest';
import { catalogue, codesOf, labelFrom, labelGroups, message, translator } from '../../services/gateway/web/i18n';
import { auditMessages } from '../../services/gateway/web/i18n/audit';
import { codeMessages } from '../../services/gateway/web/i18n/codes';
import { commonMessages } from '../../services/gateway/web/i18n/common';
import { consultationMessages } from '../../services/gateway/web/i18n/consultation';
import { cycleMessages } from '../../services/gateway/web/i18n/cycle';
import { editionMessages } from '../../services/gateway/web/i18n/edition';
import { inboxMessages } from '../../services/gateway/web/i18n/inbox';
import { monitoringMessages } from '../../services/gateway/web/i18n/monitoring';
import { programmeMessages } from '../../services/gateway/web/i18n/programme';
import { proposalMessages } from '../../services/gateway/web/i18n/proposal';
import { standardsMessages } from '../../services/gateway/web/i18n/standards';
import { subscriptionMessages } from '../../services/gateway/web/i18n/subscription';
import { workMessages } from '../../services/gateway/web/i18n/work';

/** Each table and the id prefixes it holds. */
const families: Record<string, [table: Readonly<Record<string, unknown>>, prefixes?: readonly string[]]> = {
  codes: [codeMessages, ['enum', 'event', 'organisation', 'role']],
  common: [commonMessages],
  audit: [auditMessages],
  consultation: [consultationMessages],
  cycle: [cycleMessages],
  edition: [editionMessages],
  inbox: [inboxMessages],
  monitoring: [monitoringMessages],
  programme: [programmeMessages],
  proposal: [proposalMessages],
  standards: [standardsMessages],
  subscription: [subscriptionMessages],
  work: [workMessages],
};

const placeholders = (text: string): string[] => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

/** What is wrong with a table's entries: a language missing or empty, or zh and en using different placeholders. */
function problems(table: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(table).flatMap(([id, entry]) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const missing = (['zh', 'en'] as const).filter((lang) => typeof e[lang] !== 'string' || (e[lang] as string).trim() === '');
    if (missing.length > 0) return missing.map((lang) => `${id}: no ${lang} text`);
    const zh = placeholders(e['zh'] as string);
    const en = placeholders(e['en'] as string);
    return zh.join() === en.join() ? [] : [`${id}: zh uses {${zh.join(', ')}}, en uses {${en.join(', ')}}`];
  });
}

describe('the console message catalogue', () => {
  it('has every message in Chinese and English, with the same placeholders in both', () => {
    expect(problems(catalogue)).toEqual([]);
    expect(Object.keys(catalogue).length).toBeGreaterThan(600);
  });

  it('finds a message without a language or with a placeholder in one language only', () => {
    const bad = {
      'x.noEnglish': { zh: '中文' },
      'x.emptyChinese': { zh: ' ', en: 'English' },
      'x.placeholder': { zh: '共 {count} 条', en: 'records' },
      'x.renamed': { zh: '共 {count} 条', en: '{total} records' },
      'x.fine': { zh: '第{round}轮', en: 'Round {round}' },
    };
    expect(problems(bad)).toEqual([
      'x.noEnglish: no en text',
      'x.emptyChinese: no zh text',
      'x.placeholder: zh uses {count}, en uses {}',
      'x.renamed: zh uses {count}, en uses {total}',
    ]);
  });

  it('keeps each family in its own table under its own prefix, merged without overwriting', () => {
    let total = 0;
    for (const [family, [table, prefixes = [family]]] of Object.entries(families)) {
      const strays = Object.keys(table).filter((id) => !prefixes.some((p) => id.startsWith(`${p}.`)));
      expect(strays, family).toEqual([]);
      total += Object.keys(table).length;
    }
    expect(Object.keys(catalogue).length).toBe(total);
  });

  it('fills placeholders in the chosen language', () => {
    expect(message('zh', 'inbox.round', { round: 3 })).toBe('第3轮');
    expect(message('en', 'inbox.round', { round: 3 })).toBe('Round 3');
    const t = translator('en');
    expect(t('audit.logsRecordsRehashedOne', { logs: 2, records: 40 })).toBe('2 logs, 40 records rehashed one by one: all consistent; ');
    expect(translator('zh')('common.appName')).toBe('国家基本公共服务标准平台');
  });

  it('labels codes from their group, and shows an unknown code as it is', () => {
    for (const group of labelGroups) expect(codesOf(group).length, group).toBeGreaterThan(0);
    expect(labelFrom('zh', 'enum', 'COMPARATOR_GTE')).toBe('不低于');
    expect(labelFrom('en', 'cycle.phaseLabel', 'released')).toBe('Released');
    expect(labelFrom('en', 'event', 'bps.proposal.submitted')).toBe('Submitted for approval');
    expect(labelFrom('zh', 'role', 'no-such-role')).toBe('no-such-role');
    expect(labelFrom('zh', 'role', 'constructor')).toBe('constructor');
    expect(codesOf('inbox.positionLabel').slice(0, 1)).toEqual(['POSITION_APPROVE']);
  });
});
