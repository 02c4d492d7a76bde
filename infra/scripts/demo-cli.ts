// `npm run demo`: loads the demonstration data set (infra/scripts/demo.ts) into a platform started with
// `npm start -- --demo` (which also loads it by itself), keeping the local webhook receiver in the foreground.
// `npm run demo -- --remove`: removes the demonstration data (its databases and topics) — the real data is untouched.
import { DevIssuer } from '../../services/shared/auth/dev-issuer';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { createKafka } from '../../services/shared/kafka/kafka';
import { createLogger } from '../../services/shared/log/logger';
import type { DevSecrets } from '../local/secrets';
import { DEMO_NAMESPACE, demoDatabases, gatewayApi, loadDemo, removeDemo, startDemoReceiver, type DemoSummary } from './demo';

export const DEFAULT_DEMO_RECEIVER_PORT = 8099;

/** Tokens of the seeded personas, minted by the local stack's development issuer. */
export function personaTokens(secrets: DevSecrets): (persona: PersonaName) => Promise<string> {
  const { issuer, audience, privateJwk, keyId } = secrets.tokenIssuer;
  const dev = new DevIssuer(JSON.stringify({ ...privateJwk, kid: keyId }), { issuer, audience });
  return (persona) => dev.mint(personas[persona], 3600);
}

/** Starts the receiver, then loads the demo through the gateway; the receiver keeps printing deliveries. */
export async function runDemoLoad(
  secrets: DevSecrets,
  gatewayUrl: string,
  port = Number(process.env['DEMO_RECEIVER_PORT'] ?? DEFAULT_DEMO_RECEIVER_PORT),
): Promise<DemoSummary> {
  let secret: string | undefined;
  const receiver = await startDemoReceiver({ port, secret: () => secret });
  console.error(`[demo] local webhook receiver on ${receiver.url} (prints every delivery it verifies)`);
  const summary = await loadDemo(gatewayApi(gatewayUrl, personaTokens(secrets)), { receiverUrl: receiver.url, onSecret: (s) => (secret = s) });
  console.log(
    [
      '',
      '【演示】DEMONSTRATION data loaded (its own databases bps_*_demo and topics *.demo; every value is a demonstration value):',
      `  filings:                 ${summary.filings.join(', ')} (北京市, 广东省 — INS-05)`,
      `  published revision:      ${gatewayUrl}/proposals/${summary.publishedProposalId}  (HEA-01 v2: ${gatewayUrl}/standards/items/HEA-01)`,
      `  proposal in review:      ${gatewayUrl}/proposals/${summary.inReviewProposalId}`,
      `  public consultation:     ${gatewayUrl}/consultations/${summary.inReviewProposalId}  (no sign-in; comment ${summary.commentId} published)`,
      `  webhook subscription:    ${summary.subscriptionId} → ${receiver.url}`,
      '  remove it all:           npm start -- --demo-remove   (or: npm run demo -- --remove)',
      '',
    ].join('\n'),
  );
  return summary;
}

export async function runDemoRemove(secrets: DevSecrets, endpoints: { mongoUri: string; kafkaBrokers: string }): Promise<void> {
  const kafka = createKafka({ brokers: endpoints.kafkaBrokers, clientId: 'bps-demo-remove', logger: createLogger('demo'), credentials: secrets.kafka.admin });
  const removed = await removeDemo({ mongoUri: endpoints.mongoUri, databases: demoDatabases(), topicNamespace: DEMO_NAMESPACE, kafka });
  console.log(
    `[demo] removed the demonstration data: databases ${removed.droppedDatabases.join(', ') || '(none)'}; topics ${removed.deletedTopics.join(', ') || '(none)'}. Real data untouched.`,
  );
}

if (process.argv[1]?.endsWith('demo-cli.ts')) {
  const { ensureStack } = await import('../local/stack');
  const { settings } = await import('../local/settings');
  const { secrets, endpoints } = await ensureStack(settings());
  if (process.argv.includes('--remove')) {
    await runDemoRemove(secrets, endpoints);
    process.exit(0);
  }
  const gateway = `http://127.0.0.1:${process.env['GATEWAY_HTTP_PORT'] ?? 8080}`;
  await runDemoLoad(secrets, gateway);
  console.error('[demo] receiver running; Ctrl-C to stop it');
  setInterval(() => undefined, 1 << 30);
}
