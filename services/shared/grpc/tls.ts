// mTLS between the services (issue #20): the one place that turns the BPS_GRPC_TLS_* settings into gRPC server and
// client credentials. Production requires them (config.ts `requirements`); development and tests stay plaintext
// unless they are set. Certificates are read once at start (a restart picks up rotated files).
import { readFileSync } from 'node:fs';
import { checkServerIdentity } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../config/config';

/**
 * PEM material of one process: the CA that signs every service's certificate (peers are verified against it in both
 * directions), this process's certificate chain and private key, and the name to verify on servers' certificates
 * when it differs from the address dialled.
 */
export type GrpcTls = { readonly ca: Buffer; readonly cert: Buffer; readonly key: Buffer; readonly serverName?: string };

export type GrpcTlsSettings = {
  BPS_GRPC_TLS_CA?: string | undefined;
  BPS_GRPC_TLS_CERT?: string | undefined;
  BPS_GRPC_TLS_KEY?: string | undefined;
  BPS_GRPC_TLS_SERVER_NAME?: string | undefined;
};

export const grpcTlsKeys = ['BPS_GRPC_TLS_CA', 'BPS_GRPC_TLS_CERT', 'BPS_GRPC_TLS_KEY'] as const;

/** Reads the PEM files named by BPS_GRPC_TLS_CA / _CERT / _KEY; undefined when none is set (plaintext, development). */
export function grpcTlsFromConfig(config: GrpcTlsSettings & { BPS_ENV?: string }): GrpcTls | undefined {
  const set = grpcTlsKeys.filter((k) => config[k]);
  if (set.length === 0) {
    if (config.BPS_ENV === 'production')
      throw new ConfigError(grpcTlsKeys.map((k) => `${k}: must be set in production (mutual TLS between the services; plaintext is for development only)`));
    return undefined;
  }
  const problems: string[] = grpcTlsKeys
    .filter((k) => !config[k])
    .map((k) => `${k}: must be set with ${set.join(', ')} (mutual TLS needs the CA, certificate and key)`);
  const read = (key: (typeof grpcTlsKeys)[number]): Buffer => {
    try {
      return readFileSync(config[key]!);
    } catch (error) {
      problems.push(`${key}: cannot read ${config[key]} (${(error as Error).message})`);
      return Buffer.alloc(0);
    }
  };
  if (problems.length > 0) throw new ConfigError(problems);
  const [ca, cert, key] = [read('BPS_GRPC_TLS_CA'), read('BPS_GRPC_TLS_CERT'), read('BPS_GRPC_TLS_KEY')];
  if (problems.length > 0) throw new ConfigError(problems);
  return { ca, cert, key, ...(config.BPS_GRPC_TLS_SERVER_NAME ? { serverName: config.BPS_GRPC_TLS_SERVER_NAME } : {}) };
}

/** Server credentials: mutual TLS (a client certificate signed by the CA is required) with `tls`, else plaintext. */
export function grpcServerCredentials(tls: GrpcTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
}

/** Client credentials for every channel to a service: this process's certificate, servers verified against the CA. */
export function grpcClientCredentials(tls: GrpcTls | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  const { serverName } = tls;
  return grpc.credentials.createSsl(
    tls.ca,
    tls.key,
    tls.cert,
    serverName ? { checkServerIdentity: (_host, certificate) => checkServerIdentity(serverName, certificate) } : {},
  );
}
