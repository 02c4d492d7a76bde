// Sealed Temporal payloads (issue #13): every payload the platform writes to Temporal — workflow inputs, signal,
// update and query arguments and results, activity inputs and results, memo, failure messages — is encrypted and
// authenticated with the platform's key (AES-256-GCM), Temporal's encryption-codec pattern. The whole Payload proto
// (metadata + data) is the plaintext; the result carries `encoding: binary/encrypted`, the key id (so keys can
// rotate: previous keys still open old payloads) and the id of the workflow it was sealed for, which is
// authenticated (AAD), so a sealed payload copied out of one workflow's history is refused by another workflow.
//
// Unsealed input is refused in two ways:
// - clients (`onUnsealed: 'reject'`): decoding throws — the platform never acts on a value it did not seal;
// - workers (`onUnsealed: 'mark'`): decoding yields the marker of workflows/sealed.ts instead of throwing. A throw
//   there would fail the workflow task, which Temporal retries on the same history forever: one raw signal would
//   wedge the approval. With the marker, validators refuse, signal handlers ignore, and a raw start fails at once.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  METADATA_ENCODING_KEY,
  PayloadConverterError,
  type DataConverter,
  type Payload,
  type PayloadCodec,
  type SerializationContext,
} from '@temporalio/common';
import { decode as utf8Decode, encode as utf8Encode } from '@temporalio/common/lib/encoding';
import proto from '@temporalio/proto'; // CommonJS: its named exports are not visible to ESM
import { unsealedMarker } from '../../../workflows/contracts';

const PayloadProto = proto.temporal.api.common.v1.Payload;

export const SEALED_ENCODING = 'binary/encrypted';
const CIPHER = 'AES-256-GCM';
const KEY_ID = 'encryption-key-id';
const CIPHER_KEY = 'encryption-cipher';
const BOUND_WORKFLOW = 'bps-workflow-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where the worker loads the failure converter from (it is bundled with the workflows too). */
export const failureConverterPath = fileURLToPath(new URL('../../../workflows/failure-converter.ts', import.meta.url));

export type PayloadKeys = {
  /** base64 of 32 bytes: seals everything new (BPS_TEMPORAL_PAYLOAD_KEY). */
  readonly key: string;
  /** Keys rotated out: still open what they sealed (BPS_TEMPORAL_PAYLOAD_PREVIOUS_KEYS). */
  readonly previousKeys?: readonly string[];
};

type Key = { readonly id: string; readonly bytes: Buffer };

function parseKey(base64: string, name: string): Key {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== base64) throw new Error(`${name} must be base64 of 32 bytes (AES-256 key)`);
  // The id names the key without revealing it: a digest of the key under a fixed label.
  const id = `k1-${createHash('sha256').update('bps-temporal-payload-key-id\0').update(bytes).digest('hex').slice(0, 16)}`;
  return { id, bytes };
}

const workflowOf = (context: SerializationContext | undefined): string | undefined => context?.workflowId || undefined;

function aad(keyId: string, boundWorkflowId: string | undefined): Buffer {
  return Buffer.from(`bps-temporal-payload/v1\0${keyId}\0${boundWorkflowId ?? ''}`, 'utf8');
}

export class UnsealedPayloadError extends PayloadConverterError {
  override readonly name = 'UnsealedPayloadError';
}

export class SealingCodec implements PayloadCodec {
  private readonly current: Key;
  private readonly keys: ReadonlyMap<string, Key>;

  constructor(
    keys: PayloadKeys,
    private readonly onUnsealed: 'reject' | 'mark',
  ) {
    this.current = parseKey(keys.key, 'BPS_TEMPORAL_PAYLOAD_KEY');
    const all = [this.current, ...(keys.previousKeys ?? []).map((k) => parseKey(k, 'BPS_TEMPORAL_PAYLOAD_PREVIOUS_KEYS'))];
    this.keys = new Map(all.map((k) => [k.id, k]));
  }

  get keyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return payloads.map((payload) => this.seal(payload, workflowOf(context)));
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return payloads.map((payload) => {
      const opened = this.open(payload, workflowOf(context));
      if (typeof opened !== 'string') return opened;
      if (this.onUnsealed === 'reject') throw new UnsealedPayloadError(`refused a Temporal payload: ${opened}`);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8Encode('json/plain') }, data: utf8Encode(JSON.stringify({ [unsealedMarker]: opened })) };
    });
  }

  private seal(payload: Payload, boundWorkflowId: string | undefined): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(aad(this.current.id, boundWorkflowId));
    const plaintext = PayloadProto.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8Encode(SEALED_ENCODING),
        [CIPHER_KEY]: utf8Encode(CIPHER),
        [KEY_ID]: utf8Encode(this.current.id),
        ...(boundWorkflowId ? { [BOUND_WORKFLOW]: utf8Encode(boundWorkflowId) } : {}),
      },
      data: new Uint8Array(sealed),
    };
  }

  /** The original payload, or why it is refused. */
  private open(payload: Payload, expectedWorkflowId: string | undefined): Payload | string {
    const meta = payload.metadata ?? {};
    const text = (key: string): string | undefined => (meta[key] ? utf8Decode(meta[key]) : undefined);
    if (text(METADATA_ENCODING_KEY) !== SEALED_ENCODING) return 'not sealed';
    const keyId = text(KEY_ID);
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (!keyId || !key) return `sealed with an unknown key (${keyId ?? 'no key id'})`;
    const bound = text(BOUND_WORKFLOW);
    // Payloads decoded without a workflow (e.g. a resolution after a cache eviction) are not compared.
    if (bound && expectedWorkflowId && bound !== expectedWorkflowId) return `sealed for workflow ${bound}, not ${expectedWorkflowId}`;
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) return 'sealed payload too short';
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, data.subarray(0, IV_BYTES));
      decipher.setAAD(aad(keyId, bound));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return PayloadProto.decode(plaintext);
    } catch {
      return 'sealed payload failed authentication';
    }
  }
}

/** The data converter of every platform Temporal client: seals all it sends, refuses what it cannot open. */
export function sealedClientDataConverter(keys: PayloadKeys): DataConverter & { failureConverterPath: string } {
  return { payloadCodecs: [new SealingCodec(keys, 'reject')], failureConverterPath };
}

/**
 * The data converter of every platform worker (Worker.create / Worker.runReplayHistory): seals all it writes and
 * turns anything it cannot open into the workflows' "unsealed" marker (see the module comment). A pre-built
 * workflow bundle must be built with `failureConverterPath` too (bundleWorkflowCode), or failures raised in
 * workflow code are written unsealed.
 */
export function sealedWorkerDataConverter(keys: PayloadKeys): DataConverter & { failureConverterPath: string } {
  return { payloadCodecs: [new SealingCodec(keys, 'mark')], failureConverterPath };
}
