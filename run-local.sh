#!/usr/bin/env bash
# Runs the main job locally: a real DynamoDB stream record (moto_server, or LocalStack where Docker runs) goes
# through the packaged target/function.zip under AWS's Lambda Runtime Interface Client, and the signed webhook
# arrives at a local receiver with both signatures verified. No AWS account, no Docker needed.
set -euo pipefail
cd "$(dirname "$0")"
echo "Building target/function.zip (./mvnw package; about a minute the first time)..."
./mvnw -B -q package -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/local-run.classpath
exec java -cp "target/test-classes:$(cat target/local-run.classpath)" io.conversationwebhooks.local.LocalRun "$@"
