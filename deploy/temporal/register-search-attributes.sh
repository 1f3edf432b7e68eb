#!/bin/sh
# One-shot job: registers qlik-rollout's custom search attributes (src/shared/search-attributes.ts) so the
# workflows can upsert them and the Web UI can filter on them. SEARCH_ATTRIBUTES="Name=Type,Name=Type".
# Idempotent: attributes that exist already are skipped.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${TEMPORAL_NAMESPACE:?}" "${SEARCH_ATTRIBUTES:?}"

existing=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE" -o json)
for pair in $(echo "$SEARCH_ATTRIBUTES" | tr ',' ' '); do
  name=${pair%%=*}
  type=${pair##*=}
  if echo "$existing" | grep -q "\"${name}\""; then
    echo "Search attribute ${name} exists"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" -n "$TEMPORAL_NAMESPACE" --name "$name" --type "$type"
    echo "Search attribute ${name} (${type}) created"
  fi
done
