// The checkpoint signing key and the public keys of every key that ever signed (so old checkpoints stay checkable
// after a rotation). Without a configured key outside production, one is generated once and kept in the audit DB.
import type { Collection, Db } from 'mongodb';
import type { Logger } from '../../../shared/log/logger';
import { ensureIndexes, insertOne, isDuplicateKey } from '../../../shared/mongo/mongo';
import { generatePrivateKey, loadSigningKey, type PublicKeyInfo, type SignatureAlgorithm, type SigningKey } from '../../domain/signing';

type PublicKeyDoc = { _id: string; algorithm: SignatureAlgorithm; publicKey: string; registeredAt: Date };
type DevKeyDoc = { _id: string; algorithm: SignatureAlgorithm; privateKey: string; createdAt: Date };

export class KeyRing {
  private readonly publicKeys: Collection<PublicKeyDoc>;
  private readonly devKeys: Collection<DevKeyDoc>;

  constructor(db: Db) {
    this.publicKeys = db.collection<PublicKeyDoc>('public_keys');
    this.devKeys = db.collection<DevKeyDoc>('development_signing_keys');
  }

  async init(): Promise<void> {
    await ensureIndexes(this.publicKeys, [{ key: { algorithm: 1 }, name: 'algorithm' }]);
  }

  async signingKey(options: { algorithm: SignatureAlgorithm; configured?: string; environment: string; logger: Logger }): Promise<SigningKey> {
    const { algorithm, configured, environment, logger } = options;
    let key: SigningKey;
    if (configured) {
      key = loadSigningKey(algorithm, configured);
    } else {
      if (environment === 'production') throw new Error('AUDIT_SIGNING_KEY is required in production');
      key = await this.developmentKey(algorithm);
      logger.warn({ keyId: key.keyId, algorithm }, 'AUDIT_SIGNING_KEY not set: signing checkpoints with a development key kept in the audit database');
    }
    await this.register(key);
    return key;
  }

  async register(key: PublicKeyInfo): Promise<void> {
    await this.publicKeys
      .updateOne({ _id: key.keyId }, { $setOnInsert: { algorithm: key.algorithm, publicKey: key.publicKey, registeredAt: new Date() } }, { upsert: true })
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error; // a concurrent upsert of the same key
      });
  }

  async all(): Promise<Map<string, PublicKeyInfo>> {
    const docs = await this.publicKeys.find({}).toArray();
    return new Map(docs.map((d) => [d._id, { keyId: d._id, algorithm: d.algorithm, publicKey: d.publicKey }]));
  }

  private async developmentKey(algorithm: SignatureAlgorithm): Promise<SigningKey> {
    const id = `development-${algorithm}`;
    const existing = await this.devKeys.findOne({ _id: id });
    if (existing) return loadSigningKey(algorithm, existing.privateKey);
    try {
      await insertOne(this.devKeys, { _id: id, algorithm, privateKey: generatePrivateKey(algorithm), createdAt: new Date() }, 'development signing key');
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another instance generated it first: use theirs
    }
    const stored = await this.devKeys.findOne({ _id: id });
    if (!stored) throw new Error('development signing key vanished');
    return loadSigningKey(algorithm, stored.privateKey);
  }
}
