#!/usr/bin/env bash
# Re-sends the dead-lettered deliveries of one subscription, in stream order, with their original webhook-id and a
# fresh signature, and marks them delivered in the ledger (README, "Replay dead-lettered deliveries").
#   ./replay.sh <subscription-id>      ./replay.sh --help
# Runs what `./mvnw package` built (target/classes and target/replay.classpath); it never compiles.
# Configuration: the functions' environment variables (WEBHOOKS_DELIVERIES_TABLE, WEBHOOKS_SUBSCRIPTIONS_TABLE,
# WEBHOOKS_DELIVERY_TIMEOUT, ...: README lists them), AWS region and credentials.
# Exit status 0: all replayed; 1: one failed and the replay stopped there (run again later); 2: usage, configuration
# or build missing; 3: a DynamoDB call failed.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d target/classes ] || [ ! -f target/replay.classpath ]; then
  echo "replay.sh runs the built project: run ./mvnw package first" >&2
  exit 2
fi
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/classes:$(cat target/replay.classpath)" io.conversationwebhooks.replay.ReplayCommand "$@"
