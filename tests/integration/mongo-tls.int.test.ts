// TLS to MongoDB (issue #20) against a real server: the local FerretDB's mutual-TLS listener (infra/local/mongo.ts;
// its CA file makes it require client certificates). The one Mongo helper, given BPS_MONGODB_TLS_CA and
// BPS_MONGODB_TLS_CERT_KEY as config reads them, writes and reads; without a client certificate, with one from
// another CA, and in plaintext the listener refuses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, mongoUriFromConfig } from '../../services/shared/mongo/mongo';
import { uniqueName } from '../support/names';
import { stack } from '../support/stack';
import { testCa, writeTls } from '../support/tls';

const listener = stack().mongoTls;

describe.skipIf(!listener)('MongoDB over mutual TLS (FerretDB)', { timeout: 60_000 }, () => {
  const dbName = uniqueName('mtls').replace(/[^a-zA-Z0-9_-]/g, '_');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bps-mongo-tls-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Connects (short server selection), then writes and reads one document; the error message when refused. */
  const roundTrip = async (config: { BPS_MONGODB_TLS_CA?: string; BPS_MONGODB_TLS_CERT_KEY?: string }): Promise<string> => {
    const uri = mongoUriFromConfig({ MONGODB_URI: listener!.uri, ...config });
    try {
      const mongo = await connectMongo(uri, dbName, { serverSelectionTimeoutMS: 3_000 });
      try {
        const docs = mongo.db.collection<{ _id: string; at: string }>('probe');
        const at = new Date().toISOString();
        await docs.insertOne({ _id: at, at });
        expect((await docs.findOne({ _id: at }))?.at).toBe(at);
        return 'ok';
      } finally {
        await mongo.db.dropDatabase().catch(() => undefined);
        await mongo.close();
      }
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('with the CA and a client certificate from BPS_MONGODB_TLS_* the helper writes and reads', async () => {
    expect(await roundTrip({ BPS_MONGODB_TLS_CA: listener!.caFile, BPS_MONGODB_TLS_CERT_KEY: listener!.clientCertKeyFile })).toBe('ok');
  });

  it('refuses a client without a certificate, with one from another CA, and in plaintext', async () => {
    expect(await roundTrip({ BPS_MONGODB_TLS_CA: listener!.caFile })).toMatch(/cannot reach MongoDB/);
    const other = await testCa('Someone Else CA');
    const stranger = writeTls(join(dir, 'stranger'), other, await other.issue('intruder'));
    expect(await roundTrip({ BPS_MONGODB_TLS_CA: listener!.caFile, BPS_MONGODB_TLS_CERT_KEY: stranger.certKey })).toMatch(/cannot reach MongoDB/);
    expect(await roundTrip({})).toMatch(/cannot reach MongoDB/);
  });
});
