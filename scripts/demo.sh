#!/usr/bin/env bash
# `make demo`: start the emulator, `pulumi up` the demo stack (stacks/) against it, show
# what the service now holds, stop the emulator. The emulator's data (.emulator/) and the
# stack's state (.pulumi/) are kept, so a second run has nothing to change.
set -euo pipefail
cd "$(dirname "$0")/.."

stack=${STACK:-demo}
mkdir -p .emulator
jsmops-emulator --host 127.0.0.1 --port 0 --db .emulator/demo.db >.emulator/demo.out 2>.emulator/demo.log &
emulator=$!
trap 'kill $emulator 2>/dev/null; wait $emulator 2>/dev/null || true' EXIT

# The emulator says where it listens once it does (up to 30 s).
for _ in $(seq 300); do
    JSMOPS_BASE_URL=$(sed -n 's/^jsmops-emulator listening on //p' .emulator/demo.out)
    [ -n "$JSMOPS_BASE_URL" ] && break
    kill -0 $emulator 2>/dev/null || { cat .emulator/demo.log >&2; exit 1; }
    sleep 0.1
done
[ -n "$JSMOPS_BASE_URL" ] || { echo "the emulator did not start; see .emulator/demo.log" >&2; exit 1; }
export JSMOPS_BASE_URL
echo "emulator: $JSMOPS_BASE_URL (state of stack '$stack' in ${PULUMI_BACKEND_URL:-~/.pulumi})"

pulumi stack select --create "$stack" >/dev/null
pulumi up --yes --stack "$stack"

echo
echo "Schedules in the emulator:"
python - <<'PY'
import os, requests
api = os.environ["JSMOPS_BASE_URL"] + "/jsm/ops/api/local/v1/schedules?expand=rotation&size=50"
for s in requests.get(api, auth=("admin@example.com", "local-admin-token"), timeout=10).json()["values"]:
    print(f"- {s['name']} ({s['timezone']}, {'enabled' if s['enabled'] else 'disabled'}), team {s.get('teamId') or 'none (global)'}")
    for r in s["rotations"]:
        restriction = r.get("timeRestriction", {}).get("type", "around the clock")
        print(f"    {r['name']}: {r['type']} x{r['length']} from {r['startDate']}, "
              f"{len(r['participants'])} participants, {restriction}")
PY
