#!/usr/bin/env bash
# The demo's process deploy (what "git checkout $REF && systemctl restart shop" does on a
# server): stop the running app, start releases/$RUNBOOK_REF, wait until it accepts
# connections. The app's output goes to app.log, so this command returns.
set -euo pipefail
home="${DEMO_HOME:?DEMO_HOME is not set}"
release="releases/${RUNBOOK_REF:?RUNBOOK_REF is not set}"
[ -f "$release/app.mjs" ] || { echo "no release $RUNBOOK_REF in $(pwd)/releases" >&2; exit 1; }
if [ -f "$home/app.pid" ]; then
  pid="$(cat "$home/app.pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
fi
nohup node "$release/app.mjs" >>"$home/app.log" 2>&1 </dev/null &
echo $! >"$home/app.pid"
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$DEMO_PORT") 2>/dev/null; then
    echo "started $RUNBOOK_REF (pid $(cat "$home/app.pid"))"
    exit 0
  fi
  sleep 0.05
done
echo "release $RUNBOOK_REF did not start listening on port $DEMO_PORT; see $home/app.log" >&2
exit 1
