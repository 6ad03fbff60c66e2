#!/usr/bin/env bash
# Manages the subscriptions table (README, "Managing subscriptions"):
#   ./subscriptions.sh list | show ID | add --id ID --url URL [...] | disable ID | enable ID
#   ./subscriptions.sh rotate-secret ID [--keep-previous DURATION]       ./subscriptions.sh --help
# Runs what `./mvnw package` built (target/classes and target/replay.classpath); it never compiles.
# Configuration: the functions' environment variables (WEBHOOKS_SUBSCRIPTIONS_TABLE, QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE,
# ...), AWS region and credentials.
# Exit status 0: done; 1: no such subscription; 2: usage, configuration, invalid subscription or build missing;
# 3: a DynamoDB call failed; 4: conflict (the id exists, or the item changed since it was read): nothing written.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d target/classes ] || [ ! -f target/replay.classpath ]; then
  echo "subscriptions.sh runs the built project: run ./mvnw package first" >&2
  exit 2
fi
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/classes:$(cat target/replay.classpath)" io.conversationwebhooks.admin.SubscriptionsCommand "$@"
