// The lead units of seed 000's annex act on their own items through the real proposals service (with the real
// registry in-process): 退役军人事务部 drafts for the veterans' items, 司法部 for legal aid, 体育总局 for sports; the 2017
// sector ministry (民政部, 文化和旅游部) is refused. The proposal records the item's current field (9-field structure).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import type { Identity } from '../../services/shared/auth/identity';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { refused } from '../support/grpc';
import { healthProposal } from '../unit/proposals-fixtures';
import { startProposalsTestEnv, type ProposalsTestEnv } from './proposals-helpers';

const staffOf = (organisation: string, subject: string, name: string): Identity => ({ subject, name, organisation, roles: ['ministry-staff'] });
const mva = staffOf('MVA', 'mva.staff.gao', '高军（退役军人事务部）');
const moj = staffOf('MOJ', 'moj.staff.fang', '方正（司法部）');
const gas = staffOf('GAS', 'gas.staff.tian', '田径（体育总局）');
const mca = staffOf('MCA', 'mca.staff.ma', '马丽（民政部）');
const mct = staffOf('MCT', 'mct.staff.wen', '文华（文化和旅游部）');

describe('proposals: drafting by the lead units of seed 000 annex', () => {
  let env: ProposalsTestEnv;
  beforeAll(async () => {
    env = await startProposalsTestEnv('prop-lead');
  });
  afterAll(async () => env?.stop());

  /** A complete proposal changing the service content of `itemCode` as the registry has it today (example text). */
  const modify = async (itemCode: string): Promise<ProposalContent> => {
    const current = await env.registry.registry.getItem(itemCode, undefined, '');
    const item = current.national.item;
    if (!item) throw new Error(`no ${itemCode}`);
    const base = healthProposal();
    return ProposalContent.fromPartial({
      ...base,
      title: `${item.name}服务内容调整（测试）`,
      changes: [
        {
          changeId: 'c1',
          change: {
            $case: 'modifyItem',
            modifyItem: {
              base: { itemCode, version: current.national.version },
              item: { ...item, serviceContent: { stated: true, text: '测试示例内容' } },
              lowersFloor: false,
              loweringJustification: '',
            },
          },
        },
      ],
      fiscal: { ...base.fiscal!, lines: [] },
    });
  };
  const create = async (who: Identity, itemCode: string) =>
    unary(env.client.createProposal.bind(env.client), { content: await modify(itemCode) }, await env.token(who));

  it.each([
    ['MVA', 'SOC-11', 'F21-MILITARY', mva],
    ['MVA', 'SOC-13', 'F21-MILITARY', mva],
    ['MOJ', 'SOC-06', 'F21-VULNERABLE', moj],
    ['GAS', 'CUL-10', 'F21-CULTURE-SPORTS', gas],
  ] as const)('lets %s draft for %s, recorded in %s', async (_org, itemCode, fieldCode, who) => {
    const { proposal } = await create(who, itemCode);
    expect(proposal).toMatchObject({ leadMinistry: who.organisation, itemCodes: [itemCode], fieldCodes: [fieldCode] });
  });

  it.each([
    ['MCA', 'SOC-11', 'MVA', mca],
    ['MCA', 'SOC-06', 'MOJ', mca],
    ['MCT', 'CUL-10', 'GAS', mct],
  ] as const)('refuses %s on %s (led by %s)', async (_org, itemCode, lead, who) => {
    const denied = await refused(create(who, itemCode));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(decodeStatus(denied).reason).toBe('NOT_LEAD_UNIT');
    expect(denied.details).toContain(`${who.organisation} does not lead ${itemCode} (lead unit ${lead})`);
  });
});
