import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

/**
 * Reads `temporal workflow show --output json` history into a History object.
 *
 * Why not the SDK's historyFromJSON: npm installed two copies of protobufjs 8 (nested under @temporalio/common
 * and under @temporalio/proto), so the SDK's JSON reader fails with "type must be a Type". Using the protojson of
 * the copy that built the proto root avoids the mismatch. The CLI already writes enum names in constant case.
 */
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [path.dirname(require.resolve('@temporalio/proto'))] })) as {
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown;
};
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyFromCliJson(json: unknown): proto.temporal.api.history.v1.IHistory {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as proto.temporal.api.history.v1.IHistory;
}
