// The one way to reach Temporal: a client whose payloads are sealed with the platform's key (sealing.ts), over mTLS
// when configured, whose calls carry OpenTelemetry context into workflows.
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context as ActivityContext } from '@temporalio/activity';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { currentRequestScope } from '../grpc/client';
import { workflowSpanSink } from '../telemetry/otel';
import { ConfigError } from '../config/config';
import { TransientError } from '../errors/errors';
import { sealedClientDataConverter, type PayloadKeys } from './sealing';

/**
 * mTLS to the Temporal frontend (production; the local dev server has none): file paths of the CA that signed the
 * frontend's certificate and of this client's certificate and key (BPS_TEMPORAL_TLS_CA / _CERT / _KEY), and the
 * server name to verify when it differs from the address (BPS_TEMPORAL_TLS_SERVER_NAME).
 */
export type TemporalTls = { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string; readonly serverName?: string };

export type TemporalOptions = {
  readonly address: string;
  readonly namespace: string;
  /** The platform's payload key(s): every payload is sealed with it (see sealing.ts). Required. */
  readonly payloadKeys: PayloadKeys;
  readonly tls?: TemporalTls;
};

/** The connection's TLS settings (Connection and the worker's NativeConnection take the same shape), or none. */
export function temporalTls(tls: TemporalTls | undefined): TLSConfig | undefined {
  if (!tls || (!tls.caFile && !tls.certFile && !tls.keyFile)) return undefined;
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) throw new Error('BPS_TEMPORAL_TLS_CERT and BPS_TEMPORAL_TLS_KEY go together');
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.caFile ? { serverRootCACertificate: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile && tls.keyFile ? { clientCertPair: { crt: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } } : {}),
  };
}

/** Temporal settings of a service's config (services/shared/config/config.ts). */
export function temporalOptionsFromConfig(config: {
  BPS_ENV: string;
  BPS_TEMPORAL_ADDRESS: string;
  BPS_TEMPORAL_NAMESPACE: string;
  BPS_TEMPORAL_PAYLOAD_KEY?: string | undefined;
  BPS_TEMPORAL_PAYLOAD_PREVIOUS_KEYS?: string | undefined;
  BPS_TEMPORAL_TLS_CA?: string | undefined;
  BPS_TEMPORAL_TLS_CERT?: string | undefined;
  BPS_TEMPORAL_TLS_KEY?: string | undefined;
  BPS_TEMPORAL_TLS_SERVER_NAME?: string | undefined;
}): TemporalOptions {
  const problems: string[] = [];
  if (!config.BPS_TEMPORAL_PAYLOAD_KEY) problems.push('BPS_TEMPORAL_PAYLOAD_KEY: required (every Temporal payload is sealed with it)');
  if (config.BPS_ENV === 'production' && !(config.BPS_TEMPORAL_TLS_CERT && config.BPS_TEMPORAL_TLS_KEY)) {
    problems.push('BPS_TEMPORAL_TLS_CERT, BPS_TEMPORAL_TLS_KEY: required in production (mTLS to the Temporal frontend)');
  }
  if (problems.length > 0 || !config.BPS_TEMPORAL_PAYLOAD_KEY) throw new ConfigError(problems);
  const previousKeys = (config.BPS_TEMPORAL_PAYLOAD_PREVIOUS_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  return {
    address: config.BPS_TEMPORAL_ADDRESS,
    namespace: config.BPS_TEMPORAL_NAMESPACE,
    payloadKeys: { key: config.BPS_TEMPORAL_PAYLOAD_KEY, previousKeys },
    tls: {
      ...(config.BPS_TEMPORAL_TLS_CA ? { caFile: config.BPS_TEMPORAL_TLS_CA } : {}),
      ...(config.BPS_TEMPORAL_TLS_CERT ? { certFile: config.BPS_TEMPORAL_TLS_CERT } : {}),
      ...(config.BPS_TEMPORAL_TLS_KEY ? { keyFile: config.BPS_TEMPORAL_TLS_KEY } : {}),
      ...(config.BPS_TEMPORAL_TLS_SERVER_NAME ? { serverName: config.BPS_TEMPORAL_TLS_SERVER_NAME } : {}),
    },
  };
}

export type TemporalHandle = { readonly client: Client; readonly connection: Connection; close(): Promise<void> };

export async function connectTemporal(options: TemporalOptions): Promise<TemporalHandle> {
  const dataConverter = sealedClientDataConverter(options.payloadKeys);
  const tls = temporalTls(options.tls);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: options.address, ...(tls ? { tls } : {}) });
  } catch (error) {
    throw new TransientError(`cannot reach Temporal at ${options.address}`, error);
  }
  const client = new Client({
    connection,
    namespace: options.namespace,
    dataConverter,
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
  return { client, connection, close: () => connection.close() };
}

/**
 * Worker options that keep one OpenTelemetry trace across client → workflow → activities: the workflow interceptor
 * module (bundled with the workflows), the activity interceptors, and the sink that exports workflow spans.
 * With a pre-built bundle, pass `workflowInterceptorModules` to bundleWorkflowCode instead.
 */
export function workerTelemetryOptions(options: { prebuiltBundle: boolean }) {
  const { processor, resource } = workflowSpanSink();
  return {
    interceptors: {
      ...(options.prebuiltBundle ? {} : { workflowModules: [workflowTelemetryInterceptors] }),
      activity: [
        (ctx: ActivityContext) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
  };
}

/** The platform's workflows (one bundle; each worker runs those of its task queue). */
export const workflowsPath = fileURLToPath(new URL('../../../workflows/index.ts', import.meta.url));

export const workflowTelemetryInterceptors = fileURLToPath(new URL('../../../workflows/telemetry-interceptors.ts', import.meta.url));

/**
 * Options for a workflow update made while serving a call: when the call carries an idempotency key, the update
 * gets an updateId derived from it, and Temporal applies an update id once per workflow run (a repeat returns the
 * first outcome). The key's own record is written only after the handler returns, so without this a service killed
 * between the two would sign a step, and the client's retry would then be told the step is no longer open.
 */
export function updateOptions<A extends unknown[]>(args: A): { args: A; updateId?: string } {
  const scope = currentRequestScope();
  return scope === undefined ? { args } : { args, updateId: `idem-${createHash('sha256').update(scope).digest('hex').slice(0, 40)}` };
}
