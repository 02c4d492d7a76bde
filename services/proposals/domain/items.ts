// Which items a change touches: those it was made against (bases, existing in the registry) and those it creates.
import type { ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { ItemChange, ItemVersionRef, PackageVersionRef } from '../../../proto/gen/bps/standards/v1/changes';
import type { ProposalContent } from '../../../proto/gen/bps/proposals/v1/proposal';

export type Touched = { readonly based: readonly ItemVersionRef[]; readonly created: readonly ServiceItem[]; readonly all: readonly string[] };

export function touchedItems(c: ItemChange): Touched {
  const change = c.change;
  let based: ItemVersionRef[] = [];
  let created: ServiceItem[] = [];
  if (change) {
    switch (change.$case) {
      case 'addItem':
        created = change.addItem.item ? [change.addItem.item] : [];
        break;
      case 'modifyItem':
        based = change.modifyItem.base ? [change.modifyItem.base] : [];
        break;
      case 'retireItem':
        based = change.retireItem.base ? [change.retireItem.base] : [];
        break;
      case 'moveItem':
        based = change.moveItem.base ? [change.moveItem.base] : [];
        break;
      case 'splitItem':
        based = change.splitItem.base ? [change.splitItem.base] : [];
        created = change.splitItem.into;
        break;
      case 'mergeItems':
        based = change.mergeItems.bases;
        created = change.mergeItems.into ? [change.mergeItems.into] : [];
        break;
      case 'setPackageLevel':
        // A package level (issue #17) touches no item version: see packageRef.
        break;
      default: {
        const never: never = change;
        throw new Error(`unknown change ${String(never)}`);
      }
    }
  }
  const all = [...new Set([...based.map((b) => b.itemCode), ...created.map((i) => i.itemCode)].filter((code) => code !== ''))];
  return { based, created, all };
}

export function baseRefs(content: ProposalContent): ItemVersionRef[] {
  return content.changes.flatMap((c) => touchedItems(c).based);
}

/** The codes a proposal touches: its items, and the packages whose level it sets (so two proposals raising one package conflict). */
export function itemCodesOf(content: ProposalContent): string[] {
  return [...new Set([...content.changes.flatMap((c) => touchedItems(c).all), ...packageCodesOf(content)])].sort();
}

/** The package level a change sets (issue #17), if it is a set_package_level change. */
export function packageRef(c: ItemChange): PackageVersionRef | undefined {
  return c.change?.$case === 'setPackageLevel' ? c.change.setPackageLevel.base : undefined;
}

/** Codes of the packages whose level the proposal sets. */
export function packageCodesOf(content: ProposalContent): string[] {
  return [...new Set(content.changes.flatMap((c) => packageRef(c)?.packageCode ?? []))].filter((code) => code !== '').sort();
}
