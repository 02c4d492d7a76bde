// Throwaway certificate authorities for development and tests (issue #20): a CA and the leaf certificates it signs,
// generated in memory with @peculiar/x509 (ECDSA P-256), as PEM. The local Kafka's and FerretDB's TLS listeners and the TLS tests
// use them; production certificates come from the operator's PKI (files mounted from a Secret), never from here.
import type * as X509 from '@peculiar/x509';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Loaded when certificates are made, not on import: scripts that only read the file paths (backup, the stack's
// status) need none of the development dependencies.
let library: Promise<typeof X509> | undefined;
const loadX509 = (): Promise<typeof X509> =>
  (library ??= (async () => {
    await import('reflect-metadata'); // @peculiar/x509 (tsyringe) needs the Reflect polyfill before it loads
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as never);
    return x509;
  })());

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
// Each PEM ends with a newline, so files that hold several (key then certificate) stay parseable.
const certPem = (cert: X509.X509Certificate): string => `${cert.toString('pem').trimEnd()}\n`;
const validity = (days: number) => ({ notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + days * 24 * 3600_000) });
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

/** A new CA (valid `days`, default one) whose certificates are valid as long. */
export async function testCa(name = 'BPS Test CA', days = 1): Promise<TestCa> {
  const x509 = await loadX509();
  const pem = (der: ArrayBuffer, label: string): string => `${x509.PemConverter.encode(der, label).trimEnd()}\n`;
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    ...validity(days),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert: certPem(ca),
    async issue(commonName, names = {}) {
      const leafKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
      const dns = names.dns ?? ['localhost'];
      const ips = names.ips ?? (names.dns ? [] : ['127.0.0.1']);
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${commonName}`,
        issuer: ca.subject,
        ...validity(days),
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
      return { cert: certPem(leaf), key: pem(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey), 'PRIVATE KEY') };
    },
  };
}

/** The files of a local TLS listener (ensureListenerPki). */
export type ListenerPki = {
  /** The CA of the listener's certificate (what clients trust) and of the client certificate (what it trusts). */
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Key then certificate in one file (Kafka's PEM key store). */
  readonly serverKeystore: string;
  /** A client certificate the listener accepts, and its key; `clientCertKey` holds both (MongoDB's tlsCertificateKeyFile). */
  readonly clientCert: string;
  readonly clientKey: string;
  readonly clientCertKey: string;
};

export function listenerPkiFiles(dir: string): ListenerPki {
  const at = (name: string) => join(dir, name);
  return {
    ca: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server-key.pem'),
    serverKeystore: at('server-keystore.pem'),
    clientCert: at('client.pem'),
    clientKey: at('client-key.pem'),
    clientCertKey: at('client-cert-key.pem'),
  };
}

/**
 * A CA of the local stack and the certificates of one listener (127.0.0.1, localhost) and of a client, in `dir`:
 * made when missing or within 30 days of expiry (a few milliseconds), kept otherwise. Returns whether they were made.
 */
export async function ensureListenerPki(dir: string, name: string): Promise<boolean> {
  const files = listenerPkiFiles(dir);
  if (Object.values(files).every((f) => existsSync(f))) {
    const expires = Date.parse(new X509Certificate(readFileSync(files.serverCert)).validTo);
    if (expires - Date.now() > 30 * 24 * 3600_000) return false;
  }
  mkdirSync(dir, { recursive: true });
  const ca = await testCa(`BPS local ${name} CA`, 825);
  const [server, client] = await Promise.all([ca.issue(name), ca.issue('bps-local-client')]);
  const secret = { mode: 0o600 } as const;
  writeFileSync(files.ca, ca.cert);
  writeFileSync(files.serverCert, server.cert);
  writeFileSync(files.serverKey, server.key, secret);
  writeFileSync(files.serverKeystore, server.key + server.cert, secret);
  writeFileSync(files.clientCert, client.cert);
  writeFileSync(files.clientKey, client.key, secret);
  writeFileSync(files.clientCertKey, client.cert + client.key, secret);
  return true;
}
