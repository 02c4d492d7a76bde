// Well-formedness of item content (from change sets and corrections). Bad content is named field by field.
import { Comparator, type QualityMetric, type ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { FieldViolation } from '../../shared/errors/errors';
import { isDecimal } from '../../shared/standards/decimal';
import type { KnownTaxonomy } from './model';

const ITEM_CODE = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/;
const METRIC_ID = /^[a-z][a-z0-9_]*$/;

export function itemViolations(item: ServiceItem | undefined, path: string, taxonomy: KnownTaxonomy): FieldViolation[] {
  if (!item) return [{ field: path, description: 'the item is required' }];
  const v: FieldViolation[] = [];
  if (!ITEM_CODE.test(item.itemCode)) v.push({ field: `${path}.item_code`, description: `"${item.itemCode}" is not an item code like "HEA-21"` });
  if (item.name.trim() === '') v.push({ field: `${path}.name`, description: 'the name is required' });
  if (!taxonomy.fieldCodes.has(item.fieldCode)) v.push({ field: `${path}.field_code`, description: `unknown field "${item.fieldCode}"` });
  if (item.categoryCode !== '' && !taxonomy.categoryCodes.has(item.categoryCode)) {
    v.push({ field: `${path}.category_code`, description: `unknown category "${item.categoryCode}"` });
  }
  const quality = item.qualityStandard;
  if (quality) {
    if (!quality.stated && quality.metrics.length > 0) {
      v.push({ field: `${path}.quality_standard.metrics`, description: 'a quality standard that is not stated cannot have metrics' });
    }
    v.push(...metricViolations(quality.metrics, `${path}.quality_standard.metrics`));
  }
  return v;
}

export function metricViolations(metrics: readonly QualityMetric[], path: string): FieldViolation[] {
  const v: FieldViolation[] = [];
  const seen = new Set<string>();
  metrics.forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (!METRIC_ID.test(m.metric)) v.push({ field: `${at}.metric`, description: `"${m.metric}" is not a snake_case metric id` });
    if (seen.has(m.metric)) v.push({ field: `${at}.metric`, description: `metric "${m.metric}" appears twice` });
    seen.add(m.metric);
    if (m.comparator !== Comparator.COMPARATOR_GTE && m.comparator !== Comparator.COMPARATOR_LTE && m.comparator !== Comparator.COMPARATOR_EQ) {
      v.push({ field: `${at}.comparator`, description: 'comparator must be GTE, LTE or EQ' });
    }
    if (!isDecimal(m.value)) v.push({ field: `${at}.value`, description: `"${m.value}" is not a decimal number` });
    if (m.unit.trim() === '') v.push({ field: `${at}.unit`, description: 'the unit is required (e.g. "CNY", "percent")' });
  });
  return v;
}
