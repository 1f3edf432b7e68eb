import { defaultPayloadConverter } from '@temporalio/common';
import { GZIP_ENCODING, LargePayloadGzipCodec, payloadEncoding } from '../../src/shared/payload-codec';

test('payloads under the threshold pass untouched; larger ones are gzipped and restored exactly', async () => {
  const codec = new LargePayloadGzipCodec(1024);
  const small = defaultPayloadConverter.toPayload({ tenant: 'acme' });
  const large = defaultPayloadConverter.toPayload({ tenants: Array.from({ length: 500 }, (_, i) => ({ name: `tenant-${i}`, url: `https://tenant-${i}.eu.qlikcloud.com` })) });
  const [smallOut, largeOut] = await codec.encode([small, large]);
  expect(smallOut).toBe(small);
  expect(payloadEncoding(largeOut)).toBe(GZIP_ENCODING);
  expect(largeOut.data!.length).toBeLessThan(large.data!.length / 5);

  const [smallBack, largeBack] = await codec.decode([smallOut, largeOut]);
  expect(smallBack).toBe(small);
  expect(payloadEncoding(largeBack)).toBe('json/plain');
  expect(Buffer.from(largeBack.data!).equals(Buffer.from(large.data!))).toBe(true);
  expect(defaultPayloadConverter.fromPayload(largeBack)).toEqual(defaultPayloadConverter.fromPayload(large));
});
