// Throwaway certificate authorities for TLS tests (issue #20): a CA and the leaf certificates it signs, generated in
// memory with @peculiar/x509 (ECDSA P-256), as PEM; `writeTls` puts them in files for what reads file paths (config).
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the Reflect polyfill before it loads
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GrpcTls } from '../../services/shared/grpc/tls';

x509.cryptoProvider.set(webcrypto as never);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const pem = (der: ArrayBuffer, label: string): string => x509.PemConverter.encode(der, label);
const validity = () => ({ notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 24 * 3600_000) });
const serial = () =>
  randomBytes(8)
    .toString('hex')
    .replace(/^[89a-f]/, '1');

export type Leaf = { readonly cert: string; readonly key: string };
export type TestCa = {
  readonly cert: string;
  /**
   * A certificate for `commonName` signed by this CA, good for both ends (serverAuth and clientAuth, as each service
   * is both), naming 127.0.0.1 and localhost unless other names are given.
   */
  issue(commonName: string, names?: { dns?: readonly string[]; ips?: readonly string[] }): Promise<Leaf>;
};

export async function testCa(name = 'BPS Test CA'): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    ...validity(),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert: ca.toString('pem'),
    async issue(commonName, names = {}) {
      const leafKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
      const dns = names.dns ?? ['localhost'];
      const ips = names.ips ?? (names.dns ? [] : ['127.0.0.1']);
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${commonName}`,
        issuer: ca.subject,
        ...validity(),
        signingKey: keys.privateKey,
        publicKey: leafKeys.publicKey,
        signingAlgorithm: algorithm,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
          new x509.SubjectAlternativeNameExtension([
            ...dns.map((value) => ({ type: 'dns' as const, value })),
            ...ips.map((value) => ({ type: 'ip' as const, value })),
          ]),
          await x509.AuthorityKeyIdentifierExtension.create(ca),
        ],
      });
      return { cert: leaf.toString('pem'), key: pem(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey), 'PRIVATE KEY') };
    },
  };
}

/** A process's gRPC TLS material: trusts `ca`, presents `leaf`. */
export const grpcTlsOf = (ca: TestCa | string, leaf: Leaf, serverName?: string): GrpcTls => ({
  ca: Buffer.from(typeof ca === 'string' ? ca : ca.cert),
  cert: Buffer.from(leaf.cert),
  key: Buffer.from(leaf.key),
  ...(serverName ? { serverName } : {}),
});

/** Writes the CA and a leaf as ca.pem, cert.pem, key.pem (and cert-key.pem, both in one) in `dir`; returns the paths. */
export function writeTls(dir: string, ca: TestCa, leaf: Leaf): { ca: string; cert: string; key: string; certKey: string } {
  mkdirSync(dir, { recursive: true });
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), certKey: join(dir, 'cert-key.pem') };
  writeFileSync(files.ca, ca.cert);
  writeFileSync(files.cert, leaf.cert);
  writeFileSync(files.key, leaf.key, { mode: 0o600 });
  writeFileSync(files.certKey, leaf.cert + leaf.key, { mode: 0o600 });
  return files;
}
