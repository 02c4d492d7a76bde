// Development offers the Temporal Web UI (issue #20): the local stack's dev server serves it on 127.0.0.1 at
// BPS_TEMPORAL_UI_PORT (what `npm start` prints), and the UI's API reads the stack's namespace through the server.
// (The testcontainers path runs the server headless; Compose publishes the UI: infra/compose.yaml.)
import { describe, expect, it } from 'vitest';
import { settings } from '../../infra/local/settings';
import { temporalUiUrl } from '../../infra/local/temporal';
import { stack } from '../support/stack';

const s = settings();
const localStack = stack().temporalAddress === `127.0.0.1:${s.temporal.port}`;

describe.skipIf(!localStack)('Temporal Web UI of the local stack', () => {
  it('serves the UI on the loopback UI port, and its API answers for the stack namespace', async () => {
    const page = await fetch(temporalUiUrl(s));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await fetch(`http://127.0.0.1:${s.temporal.uiPort}/api/v1/namespaces/${encodeURIComponent(s.temporal.namespace)}`);
    expect(api.status).toBe(200);
    expect(((await api.json()) as { namespaceInfo?: { name?: string } }).namespaceInfo?.name).toBe(s.temporal.namespace);
  });
});
