// Today's catalogue as people read it, through the gateway (API and console) and the CLI: grouped and filtered by
// the nine current fields and their categories by name, placements and lead units with their basis, units and
// bases as words. A date before the 2021 taxonomy still shows the 2017 fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBps } from './gateway-cli-run';
import { apiAs, startTestPlatform, type TestPlatform } from './gateway-platform';

const currentFields = ['幼有所育', '学有所教', '劳有所得', '病有所医', '老有所养', '住有所居', '弱有所扶', '优军服务保障', '文体服务保障'];

describe('gateway and CLI: the current structure', { timeout: 240_000 }, () => {
  let p: TestPlatform;
  let session: Record<string, string>;
  const page = async (path: string): Promise<string> => {
    const res = await fetch(p.gateway.url + path, { headers: session, redirect: 'manual' });
    expect(res.status, path).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    p = await startTestPlatform('gw-struct');
    const signIn = await fetch(`${p.gateway.url}/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: p.gateway.url },
      body: 'persona=auditor&next=%2Fstandards',
    });
    session = { cookie: (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '' };
  });
  afterAll(async () => p?.stop());

  it('API: filters today by a current field, with names, placements and the annex lead unit; serves the unit labels', async () => {
    const military = await apiAs(p, 'auditor', 'GET', '/api/v1/standards/items?field=F21-MILITARY');
    expect(military.status).toBe(200);
    expect(
      military.json.items.map((v: any) => [v.item.itemCode, v.item.fieldCode, v.placement.fieldName, v.placement.categoryName, v.item.leadUnit.name]),
    ).toEqual([
      ['SOC-11', 'F21-MILITARY', '优军服务保障', '优军优抚服务', '退役军人事务部'],
      ['SOC-12', 'F21-MILITARY', '优军服务保障', '优军优抚服务', '退役军人事务部'],
      ['SOC-13', 'F21-MILITARY', '优军服务保障', '优军优抚服务', '退役军人事务部'],
    ]);
    const units = await apiAs(p, 'auditor', 'GET', '/api/v1/standards/units');
    expect(units.status).toBe(200);
    expect(units.json.units).toContainEqual({ key: 'CNY', zh: '元', en: 'CNY' });
    expect(units.json.bases).toContainEqual({ key: 'per_household', zh: '每户', en: 'per household' });
  });

  it("console: today's catalogue is grouped by the nine fields and 22 categories by name, never by raw 2017 codes", async () => {
    const today = await page('/standards');
    expect(today).toContain('data-testid="item-count">81<');
    const headings = [...today.matchAll(/<h2 id="f-[^"]+" data-field="([^"]+)">([^<]+?) </g)].map((m) => [m[1], m[2]]);
    expect(headings.map(([, name]) => name)).toEqual(currentFields);
    expect(headings.every(([code]) => code?.startsWith('F21-'))).toBe(true);
    expect([...today.matchAll(/<h3 data-category="C21-[^"]+">([^<]+)<\/h3>/g)]).toHaveLength(22);
    expect(today).toContain('<h3 data-category="C21-PUBLIC-SPORTS">公共体育服务</h3>');
    expect(today).not.toMatch(/>F17-[A-Z]+</);
    expect(today).toContain('<li data-from="F17-SOC" data-to="F21-MILITARY">社会服务 → 优军服务保障：SOC-11、SOC-12、SOC-13</li>');
    // Choosing a current field lists its items.
    const filtered = await page('/standards?field=F21-MILITARY');
    expect(filtered).toContain('data-testid="item-count">3<');
    const sports = await page('/standards?category=C21-PUBLIC-SPORTS');
    expect(sports).toContain('data-testid="item-count">2<');
    expect(sports).toContain(
      '<optgroup label="文体服务保障"><option value="C21-PUBLIC-CULTURE">公共文化服务</option><option value="C21-PUBLIC-SPORTS" selected>公共体育服务</option></optgroup>',
    );
    // Before the 2021 taxonomy: the 2017 fields, by name.
    const then = await page('/standards?date=2020-01-01');
    expect([...then.matchAll(/<h2 id="f-([^"]+)"/g)].map((m) => m[1])).toEqual([
      'F17-EDU',
      'F17-EMP',
      'F17-INS',
      'F17-HEA',
      'F17-SOC',
      'F17-HOU',
      'F17-CUL',
      'F17-DIS',
    ]);
    expect(then).toContain('>社会服务 <');
  });

  it('console: an item page shows its field and category, why it sits there, and the attributed lead unit with its annex row', async () => {
    const item = await page('/standards/items/SOC-11');
    const placement = item.slice(item.indexOf('data-testid="placement"'), item.indexOf('id="attrs"'));
    expect(placement).toContain('优军服务保障');
    expect(placement).toContain('优军优抚服务');
    expect(placement).toContain('F17-SOC');
    expect(placement).toContain('对符合条件的优抚对象提供抚恤和生活补助');
    const lead = item.slice(item.indexOf('data-attr="lead_unit"'), item.indexOf('</dl>', item.indexOf('data-attr="lead_unit"')));
    expect(lead).toContain('退役军人事务部');
    expect(lead).toContain('data-testid="lead-unit-attributed"');
    expect(lead).toContain('退役军人事务部牵头负责');
    const attributed = await page('/standards/items/HEA-09');
    expect(attributed).toMatch(/<span class="attributed" data-stated="false"><span class="badge">推定<\/span> 000 §\(十一\)/);
    const film = await page('/standards/items/CUL-05?lang=en');
    expect(film).toContain('1 screening(s) (per administrative village per month)');
    expect(film).not.toContain('per_administrative_village_per_month');
  });

  it('CLI: lists a current field by name and prints levels in words', async () => {
    const bps = (...args: string[]) => runBps(args, p.addresses);
    const table = await bps('standards', 'as-of', '--field', 'F21-CULTURE-SPORTS', '--as', 'auditor');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('10 items in force');
    expect(table.stdout).toContain('文体服务保障');
    const film = await bps('standards', 'get', 'CUL-05', '--as', 'auditor');
    expect(film.stdout).toContain('>= 1 screening(s) (per administrative village per month)');
    expect(film.stdout).not.toContain('per_administrative_village_per_month');
    const got = await bps('standards', 'get', 'SOC-06', '--as', 'auditor');
    expect(got.stdout).toContain('弱有所扶 (F21-VULNERABLE) / 公共法律服务 (C21-PUBLIC-LEGAL-SERVICE)');
    expect(got.stdout).toContain('司法部 (attributed)');
  });
});
