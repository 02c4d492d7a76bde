// Console renderers over the current structure: fields and categories by name, placement with its basis, the
// attributed lead unit, levels in words. Pure: registry responses built from the seeds themselves.
import { describe, expect, it } from 'vitest';
import type { ItemVersion, ListItemsResponse } from '../../proto/gen/bps/registry/v1/registry';
import { cataloguePage, placementBlock, sixAttributes } from '../../services/gateway/web/standards-pages';
import { translator } from '../../services/gateway/web/i18n';
import { classifier } from '../../services/registry/domain/placement';
import { serviceItemFromSeed, taxonomyHistory } from '../../services/registry/seed/baseline';
import { baselineEdition } from '../../services/registry/seed/national-catalog';

const ctx = (lang: 'zh' | 'en') => ({ lang, t: translator(lang), identity: undefined, url: '/', signInEnabled: true });
const t2021 = taxonomyHistory.find((t) => t.taxonomyId === 'taxonomy-2021') ?? null;
const classify = classifier(
  t2021,
  taxonomyHistory.filter((t) => t.taxonomyId === 'taxonomy-2017'),
);
const version = (code: string): ItemVersion => {
  const seed = baselineEdition.items.find((i) => i.code === code);
  if (!seed) throw new Error(code);
  const { item, placement } = classify(serviceItemFromSeed(seed));
  return {
    item,
    placement,
    errata: [],
    version: 1,
    effectiveFrom: { year: 2017, month: 1, day: 23 },
    effectiveTo: undefined,
    releaseId: '2017-national-list',
    releaseKind: 1,
    provenance: undefined,
    retired: false,
    recordedAt: undefined,
    correctionOf: '',
    correctionReason: '',
  };
};

describe('console: the catalogue in the current structure', () => {
  const list: ListItemsResponse = { items: ['SOC-11', 'SOC-06', 'CUL-05', 'CUL-10'].map(version), provincial: [], asOfDate: { year: 2026, month: 6, day: 1 } };

  it('groups by field and category names even without the taxonomy response (names from the placements)', () => {
    const out = cataloguePage(ctx('zh'), { date: '', field: '', province: '' }, list, undefined).value;
    for (const name of ['优军服务保障', '弱有所扶', '文体服务保障', '优军优抚服务', '公共法律服务', '公共文化服务', '公共体育服务'])
      expect(out).toContain(name);
    expect(out).not.toMatch(/>F(17|21)-[A-Z-]+ </);
    expect(out).toContain('不低于 1场（每个行政村每月）');
    expect(out).not.toContain('per_administrative_village_per_month');
  });

  it('shows where an item sits and why, and the lead unit as attributed with the annex row', () => {
    const soc06 = version('SOC-06');
    const placed = placementBlock(ctx('zh'), soc06.item!, soc06.placement).value;
    expect(placed).toContain('弱有所扶');
    expect(placed).toContain('公共法律服务');
    expect(placed).toContain('（原领域 F17-SOC）');
    expect(placed).toContain('为经济困难等符合条件的公民提供法律援助');
    expect(placed).toMatch(/data-stated="false"><span class="badge">推定<\/span>/); // the category: not in the seeds
    const attrs = sixAttributes(ctx('en'), soc06.item!, soc06.placement).value;
    expect(attrs).toContain('司法部 <span class="badge" data-testid="lead-unit-attributed">Attributed</span>');
    expect(attrs).toContain('附件“重点任务分工方案”第10行');
    const stated = sixAttributes(ctx('zh'), { ...soc06.item!, leadUnitStated: true }, soc06.placement).value;
    expect(stated).not.toContain('lead-unit-attributed');
  });
});
