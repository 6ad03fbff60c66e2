#!/usr/bin/env bash
# Re-sends the dead-lettered deliveries of one subscription, in stream order, with their original webhook-id and a
# fresh signature, and marks them delivered in the ledger (README, "Delivery guarantees").
#   ./replay.sh <subscription-id>
# Environment: WEBHOOKS_DELIVERIES_TABLE, WEBHOOKS_SUBSCRIPTIONS_TABLE, AWS region and credentials (see
# src/main/java/io/conversationwebhooks/replay/ReplayCommand.java). Exit status 0: all replayed; 1: one failed and the
# replay stopped there (run again later); 2: usage or setup error.
set -euo pipefail
cd "$(dirname "$0")"
if [ $# -ne 1 ]; then
  echo "usage: ./replay.sh <subscription-id>" >&2
  exit 2
fi
./mvnw -B -q compile
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/replay.classpath
exec java -cp "target/classes:$(cat target/replay.classpath)" io.conversationwebhooks.replay.ReplayCommand "$1"
