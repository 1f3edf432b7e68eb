#!/bin/sh
# One-shot job: creates the namespace the workers use, with a retention period; no-op when it exists.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${TEMPORAL_NAMESPACE:?}"
RETENTION=${TEMPORAL_NAMESPACE_RETENTION:-720h}

until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
  echo "Waiting for Temporal at ${TEMPORAL_ADDRESS}..."
  sleep 2
done
if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  echo "Namespace ${TEMPORAL_NAMESPACE} exists"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE" --retention "$RETENTION"
  echo "Namespace ${TEMPORAL_NAMESPACE} created (retention ${RETENTION})"
fi
