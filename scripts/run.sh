#!/usr/bin/env bash
# Entry point of the README commands: makes sure the machine has what headsplat needs
# (pnpm, the CPU Vulkan driver, dependencies), then runs one task.
#   bash scripts/run.sh test|example|bench|build|typecheck|viewer
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1
task=${1:?usage: scripts/run.sh test|example|bench|build|typecheck|viewer}
shift || true

# Chromium: the browser tests, and SwiftShader (shipped with it) for the tests and the benches.
if [ "$task" = test ] || [ "$task" = bench ]; then export HEADSPLAT_WITH_CHROMIUM=${HEADSPLAT_WITH_CHROMIUM:-1}; fi
bash scripts/ensure-env.sh
if [ "${CI:-}" = true ]; then pnpm install --frozen-lockfile --reporter=silent; else pnpm install --prefer-offline --reporter=silent; fi

case "$task" in
  test)
    mkdir -p test-output
    rc=0
    pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=test-output/vitest.json "$@" || rc=$?
    node scripts/test-summary.mjs test-output/vitest.json
    exit $rc ;;
  example)   exec pnpm --filter @headsplat/examples run main "$@" ;;
  bench)     exec pnpm exec tsx scripts/bench.ts "$@" ;;
  build)     exec pnpm exec turbo run build "$@" ;;
  typecheck) exec pnpm exec turbo run typecheck "$@" ;;
  viewer)    exec pnpm --filter @headsplat/viewer run dev "$@" ;;
  *) echo "unknown task '$task' (expected test, example, bench, build, typecheck or viewer)" >&2; exit 2 ;;
esac
