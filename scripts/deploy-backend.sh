#!/usr/bin/env bash
# Deploys build/backend as a 2nd-gen HTTP Cloud Function. Never run from CI. Needs gcloud logged in
# and these variables: PROJECT, REGION, SERVICE_ACCOUNT_EMAIL (the function's identity, which signs
# delegation JWTs through IAM signJwt), AUTH_AUDIENCES (the add-on's OAuth client ids), and
# optionally STAFF_SECURITY_MANAGERS, STAFF_SUPPORT_AGENTS, SCHEDULER_INVOKERS (comma lists).
# DATABASE_URL and ALERT_WEBHOOK_URL come from Secret Manager secrets of the same name in lower case.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${PROJECT:?set PROJECT}" "${REGION:?set REGION}" "${SERVICE_ACCOUNT_EMAIL:?set SERVICE_ACCOUNT_EMAIL}" "${AUTH_AUDIENCES:?set AUTH_AUDIENCES}"

npm run build:backend --silent
node scripts/check-secrets.js build/backend

env_file="$(mktemp)"
trap 'rm -f "$env_file"' EXIT
cat >"$env_file" <<YAML
SIGNER: "iam"
SERVICE_ACCOUNT_EMAIL: "${SERVICE_ACCOUNT_EMAIL}"
AUTH_AUDIENCES: "${AUTH_AUDIENCES}"
STAFF_SECURITY_MANAGERS: "${STAFF_SECURITY_MANAGERS:-}"
STAFF_SUPPORT_AGENTS: "${STAFF_SUPPORT_AGENTS:-}"
SCHEDULER_INVOKERS: "${SCHEDULER_INVOKERS:-}"
GOOGLE_CLOUD_PROJECT: "${PROJECT}"
YAML

gcloud functions deploy shared-contacts-backend \
  --project="$PROJECT" --region="$REGION" --gen2 --runtime=nodejs20 \
  --source=build/backend --entry-point=sharedContacts --trigger-http \
  --allow-unauthenticated \
  --service-account="$SERVICE_ACCOUNT_EMAIL" \
  --env-vars-file="$env_file" \
  --set-secrets="DATABASE_URL=database_url:latest,ALERT_WEBHOOK_URL=alert_webhook_url:latest"
