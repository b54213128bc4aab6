#!/usr/bin/env bash
# Deploys the add-on to one environment: lint → test → build for that environment → clasp push.
# Usage: scripts/deploy-addon.sh dev|prod. Never run in CI. Needs `npx clasp login` first.
set -euo pipefail
env="${1:?usage: deploy-addon.sh dev|prod}"
cd "$(dirname "$0")/.."
script_id=$(node -p "require('./config/${env}.json').scriptId")
case "$script_id" in REPLACE_*) echo "config/${env}.json has no scriptId yet (see README: Deploy)"; exit 1;; esac
npm run lint
npm test
npx webpack --env config="$env"
# clasp reads .clasp.json from the working directory: write one for this environment under build/.
printf '{ "scriptId": "%s", "rootDir": "addon" }\n' "$script_id" > build/.clasp.json
(cd build && npx clasp push --force)
