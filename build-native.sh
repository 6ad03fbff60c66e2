#!/usr/bin/env bash
# Builds the native target/function.zip (a `bootstrap` for provided.al2023) with whatever this machine has, and with
# --verify also runs the *IT tests against the binary (README, "Native build"):
#   1. a GraalVM or Mandrel `native-image` (GRAALVM_HOME, JAVA_HOME or PATH): ./mvnw package -Dnative
#   2. else a container runtime that answers (docker or podman):           ... -Dquarkus.native.container-build=true
#   3. else the native-image toolchain beside this project (../shared/native-toolchain, or NATIVE_TOOLCHAIN=<dir>),
#      which assembles GraalVM's image builder from Maven Central; for building and testing only (its README).
# Usage: ./build-native.sh [--verify] [extra Maven arguments: passed to the build with GraalVM/Mandrel or a container,
#        and to the *IT run with the toolchain, whose own build takes none]
# Exit status: 0 built (and verified); 1 the build or a test failed; 2 no way to build found.
set -euo pipefail
cd "$(dirname "$0")"

verify=false
if [ "${1:-}" = "--verify" ]; then verify=true; shift; fi

has_native_image() {
  local home
  for home in "${GRAALVM_HOME:-}" "${JAVA_HOME:-}"; do
    [ -n "$home" ] && [ -x "$home/bin/native-image" ] && return 0
  done
  command -v native-image >/dev/null
}

container_runtime() {
  local runtime
  for runtime in docker podman; do
    command -v "$runtime" >/dev/null && "$runtime" info >/dev/null 2>&1 && { echo "$runtime"; return 0; }
  done
  return 1
}

toolchain=${NATIVE_TOOLCHAIN:-../shared/native-toolchain}
goal=package; $verify && goal=verify

if has_native_image; then
  echo "== native build with the installed native-image (GraalVM/Mandrel)"
  exec ./mvnw -B "$goal" -Dnative "$@"
elif runtime=$(container_runtime); then
  echo "== native build in a container ($runtime)"
  exec ./mvnw -B "$goal" -Dnative -Dquarkus.native.container-build=true \
    -Dquarkus.native.container-runtime="$runtime" "$@"
elif [ -x "$toolchain/build-native.sh" ] || [ -f "$toolchain/build-native.sh" ]; then
  echo "== native build with the toolchain in $toolchain (no GraalVM/Mandrel, no container runtime here)"
  bash "$toolchain/build-native.sh" .
  # The toolchain's image links the JDK's libjava & co. dynamically (RUNPATH $ORIGIN/lib): function.zip carries them
  # in lib/; the runner that the *IT tests start from target/ finds them in target/lib.
  mkdir -p target/lib
  cp target/native-lib/lib/*.so target/lib/
  # (grep -c reads the whole list: with pipefail, grep -q would end unzip early and fail the pipe)
  [ "$(unzip -Z1 target/function.zip | grep -cx bootstrap)" = 1 ] || { echo "target/function.zip has no bootstrap" >&2; exit 1; }
  if $verify; then
    # The binary is built: run the *IT tests against it without building it a second time.
    ./mvnw -B failsafe:integration-test failsafe:verify -Dnative -DskipITs=false "$@"
  fi
else
  cat >&2 <<'EOF'
No way to build the native binary here: install GraalVM or Mandrel (set GRAALVM_HOME), or start Docker or Podman
(the build then runs in Quarkus' builder image). Without either, build the JVM zip with ./mvnw package and deploy it
with Packaging=jvm (README, "Deploy").
EOF
  exit 2
fi
