#!/usr/bin/env bash
# Benchmarks (see BENCHMARKS.md): builds target/function.zip, then measures fan-out against its lower bound and a
# sequential baseline, the fan-out as deployed (delivery ledger and retry queue on, DynamoDB requests counted), CPU per
# delivery (JMH), start-up and resident memory, and prints one table with PASS/FAIL against the targets. Options (all
# optional): --records=1000 --conversations=200 --subscribers=5 --latency-ms=50 --sequential-slice=100 --warm-runs=3
# --startups=5 --memory-records=10000 --memory-subscribers=10 --no-jmh --quick-jmh
# --only=fanout,ledger,cpu,startup,memory --java-tool-options=... --function-jvm=... --native (also build the native
# zip with ./build-native.sh and measure it beside the JVM one) --native-zip=FILE (measure that native zip instead of
# building one) --c2-fanout (a fan-out with the JVM's C2 too, for the native CPU target) --baseline-zip=FILE and
# --baseline-native-zip=FILE (an older JVM / native function.zip: the fan-out as deployed is measured for it too,
# printed before the current build's). Needs Java 17+ on Linux (it reads /proc); moto_server (or Docker) for the
# fan-out as deployed and the start-up rows as deployed. No AWS account.
set -euo pipefail
cd "$(dirname "$0")"
if [[ " $* " == *" --help "* || " $* " == *" -h "* ]]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  echo "Details: BENCHMARKS.md"
  exit 0
fi
args=()
for arg in "$@"; do
  if [ "$arg" = "--native" ]; then
    ./build-native.sh -q
    cp target/function.zip target/function-native.zip
    args+=("--native-zip=target/function-native.zip")
  else
    args+=("$arg")
  fi
done
./mvnw -B -q package -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.conversationwebhooks.bench.BenchmarkHarness ${args[@]+"${args[@]}"}
