#!/usr/bin/env bash
# Runs the tests that measure time or wait on timers while every core is kept busy, as on a shared CI machine,
# and ends with tap's summary. UNDER_LOAD_SECONDS bounds the load (default 600), UNDER_LOAD_HOGS sets how many
# busy loops run (default one per core). Extra arguments go to tap.
set -uo pipefail
cd "$(dirname "$0")/.."

# The timing-sensitive test files, the one list to update when tests move.
files=(
  test/engine/probe-thread.test.ts
  test/engine/start-up.test.ts
  test/routes/shutdown.test.ts
  test/engine/runner.test.ts
  test/engine/background.test.ts
  test/metrics/probe-thread-restarts.test.ts
  test/routes/routes.test.ts
  test/routes/catalogue.test.ts
  test/routes/errors.test.ts
  test/routes/answers.test.ts
  test/routes/contract.test.ts
  test/routes/status-browser.test.ts
  test/routes/fuzz.test.ts
  test/checks/postgres.test.ts
  test/checks/redis.test.ts
  test/faults/datastores.test.ts
  test/faults/providers.test.ts
  test/checks/lib-http.test.ts
  test/checks/cloudwatch.test.ts
  test/checks/eventbridge.test.ts
  test/checks/s3.test.ts
  test/checks/ses.test.ts
  test/checks/sqs.test.ts
  test/checks/aws.test.ts
  test/checks/openai.test.ts
  test/checks/azure-openai.test.ts
  test/checks/upstash.test.ts
  test/checks/resend.test.ts
  test/checks/datadog.test.ts
  test/checks/sentry.test.ts
  test/checks/stripe.test.ts
  test/checks/github.test.ts
  test/checks/google.test.ts
  test/checks/instagram.test.ts
  test/checks/reddit.test.ts
  test/checks/smtp.test.ts
  test/checks/tiktok.test.ts
  test/notify/delivery.test.ts
  test/notify/queueing.test.ts
  test/notify/end-to-end.test.ts
)

seconds=${UNDER_LOAD_SECONDS:-600}
hogs=${UNDER_LOAD_HOGS:-$(nproc)}

gone=()
for f in "${files[@]}"; do [ -f "$f" ] || gone+=("$f"); done
if [ ${#gone[@]} -gt 0 ]; then
  printf 'under-load: no such test file: %s\n' "${gone[@]}" >&2
  echo 'under-load: update the list of files in scripts/under-load.sh' >&2
  exit 1
fi

pids=()
stop() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; }
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# each loop stops by itself after $seconds even if this script is killed without running its trap
for _ in $(seq 1 "$hogs"); do
  node -e 'const end = Date.now() + Number(process.argv[1]) * 1000; while (Date.now() < end);' "$seconds" &
  pids+=($!)
done
echo "under-load: ${hogs} busy loops for at most ${seconds}s on $(nproc) cores; ${#files[@]} test files"

npx --no-install tap "$@" "${files[@]}"
