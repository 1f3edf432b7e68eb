/**
 * Gzip for large payloads only. A rollout's input carries its plan: at 10,000 tenants ~1.7 MB of JSON, close to the
 * 2 MB Temporal accepts for one payload (`limit.blobSize.error`), and carried again by every continue-as-new.
 * Compressed it is ~10x smaller. Payloads under the threshold (nearly all: activity inputs and results, signals,
 * small rollouts) stay plain JSON, readable in the Web UI without a codec server. Every client and worker of this
 * project uses `dataConverter` below; a foreign client reads large payloads as `binary/gzip`.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const GZIP_ENCODING = 'binary/gzip';
/** Under the SDK's 512 KiB payload warning, far above any tenant-sized payload. */
export const DEFAULT_GZIP_THRESHOLD_BYTES = 128 * 1024;

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const ProtoPayload = temporal.api.common.v1.Payload;
// Built once: decode runs on every payload a worker receives.
const gzipEncodingBytes = new TextEncoder().encode(GZIP_ENCODING);
const textDecoder = new TextDecoder();

/** A payload's `encoding` metadata as text ('' when absent), e.g. 'json/plain' or 'binary/gzip'. */
export function payloadEncoding(payload: Payload): string {
  const encoding = payload.metadata?.encoding;
  return encoding ? textDecoder.decode(encoding) : '';
}

export class LargePayloadGzipCodec implements PayloadCodec {
  constructor(private readonly thresholdBytes = DEFAULT_GZIP_THRESHOLD_BYTES) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map(async (payload) => {
      if ((payload.data?.length ?? 0) < this.thresholdBytes) return payload;
      // The whole payload (its metadata too) is compressed, so decode restores it exactly.
      const data = await gzip(ProtoPayload.encode(payload).finish());
      return { metadata: { encoding: gzipEncodingBytes }, data };
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map(async (payload) => {
      if (payloadEncoding(payload) !== GZIP_ENCODING || !payload.data) return payload;
      return ProtoPayload.decode(await gunzip(payload.data));
    }));
  }
}

/** The data converter of every client and worker this project creates. */
export const dataConverter: DataConverter = { payloadCodecs: [new LargePayloadGzipCodec()] };
