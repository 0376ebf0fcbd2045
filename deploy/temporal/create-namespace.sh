#!/bin/sh
# Registers the worker's Temporal namespace when it does not exist yet:
# waits until the cluster answers `temporal operator cluster health`, then
# `namespace describe`, else `namespace create`, retrying each step (a
# freshly started server may refuse for a few seconds). Safe on every
# `docker compose up`. Run by the temporal-namespace service of
# docker-compose.yml, with the temporal CLI of temporalio/admin-tools.
#
# Environment:
#   TEMPORAL_ADDRESS    the frontend, host:port (default temporal:7233)
#   TEMPORAL_NAMESPACE  the namespace (default default)
#   NAMESPACE_RETENTION its workflow history retention (default 72h)
set -eu

ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
RETENTION=${NAMESPACE_RETENTION:-72h}
TRIES=30

try=1
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  if [ "$try" -ge "$TRIES" ]; then
    echo "create-namespace: Temporal at $ADDRESS (TEMPORAL_ADDRESS) not healthy after $TRIES tries" >&2
    temporal operator cluster health --address "$ADDRESS" >&2 || true
    exit 1
  fi
  echo "create-namespace: waiting for Temporal at $ADDRESS (try $try/$TRIES)"
  try=$((try + 1))
  sleep 2
done

try=1
while :; do
  if temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
    echo "create-namespace: namespace $NAMESPACE exists"
    exit 0
  fi
  if temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"; then
    echo "create-namespace: namespace $NAMESPACE created (retention $RETENTION)"
    exit 0
  fi
  if [ "$try" -ge "$TRIES" ]; then
    echo "create-namespace: could not create namespace $NAMESPACE (TEMPORAL_NAMESPACE) at $ADDRESS after $TRIES tries" >&2
    exit 1
  fi
  echo "create-namespace: retrying (try $try/$TRIES)"
  try=$((try + 1))
  sleep 2
done
