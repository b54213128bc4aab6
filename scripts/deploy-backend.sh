#!/usr/bin/env bash
# Deploys build/backend as a 2nd-gen HTTP Cloud Function to one environment. Never run from CI.
# Usage: scripts/deploy-backend.sh dev|staging|prod (npm run deploy:backend -- staging).
# The project, region and function name come from config/<env>.json's backendUrl, the accepted
# ID-token audience from its oauthClientId. Optional variables: SERVICE_ACCOUNT_EMAIL (default
# shared-contacts-broker@<project>.iam.gserviceaccount.com: the function's identity, which signs
# delegation JWTs through IAM signJwt and is granted Token Creator on itself for it),
# STAFF_SECURITY_MANAGERS, STAFF_SUPPORT_AGENTS,
# SCHEDULER_INVOKERS (comma lists).
# Secrets are never passed by value: DATABASE_URL, OTP_ENCRYPTION_KEYS and ALERT_WEBHOOK_URL reach
# the function as Secret Manager references (secrets database_url, otp_encryption_keys and
# alert_webhook_url of the environment's project), resolved by Google when an instance starts.
set -euo pipefail
env="${1:?usage: deploy-backend.sh dev|staging|prod}"
cd "$(dirname "$0")/.."

case "$env" in
  dev | staging | prod) ;;
  *) echo "deploy-backend: unknown environment \"$env\" (dev, staging or prod; local runs on the emulator)" >&2; exit 2 ;;
esac

SECRETS=(DATABASE_URL=database_url OTP_ENCRYPTION_KEYS=otp_encryption_keys ALERT_WEBHOOK_URL=alert_webhook_url)
for pair in "${SECRETS[@]}"; do
  variable="${pair%%=*}"
  if [ -n "${!variable:-}" ]; then
    echo "deploy-backend: unset $variable: production secrets come from Secret Manager (${pair#*=}), never from the deployer's shell" >&2
    exit 2
  fi
done

# project, region, function name and audience, from the environment's config file.
settings="$(node -e '
  const config = require(`./config/${process.argv[1]}.json`);
  const url = new URL(config.backendUrl);
  const host = /^([a-z]+-[a-z]+[0-9]+)-([a-z][a-z0-9-]+)\.cloudfunctions\.net$/.exec(url.hostname);
  const name = url.pathname.replace(/^\//, "");
  if (!host || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    console.error(`config/${process.argv[1]}.json: backendUrl must be https://REGION-PROJECT.cloudfunctions.net/FUNCTION`);
    process.exit(2);
  }
  console.log(host[2], host[1], name, config.oauthClientId);
' "$env")"
read -r project region function audience <<<"$settings"
service_account="${SERVICE_ACCOUNT_EMAIL:-shared-contacts-broker@${project}.iam.gserviceaccount.com}"

missing=()
for pair in "${SECRETS[@]}"; do
  secret="${pair#*=}"
  gcloud secrets describe "$secret" --project="$project" --format='value(name)' >/dev/null 2>&1 || missing+=("$secret")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deploy-backend: Secret Manager of $project lacks ${missing[*]}; create each with" >&2
  echo "  gcloud secrets create NAME --project=$project --data-file=- (and grant $service_account roles/secretmanager.secretAccessor)" >&2
  exit 1
fi

npm run lint
npm test
npm run build:backend --silent
node scripts/check-secrets.js build/backend

# IAM signJwt needs iam.serviceAccounts.signJwt on the account even when the function signs as its
# own service account (FACTS.md, Delegation): grant it Service Account Token Creator on itself.
gcloud iam service-accounts add-iam-policy-binding "$service_account" \
  --project="$project" \
  --member="serviceAccount:${service_account}" \
  --role=roles/iam.serviceAccountTokenCreator \
  --condition=None >/dev/null

env_file="$(mktemp)"
trap 'rm -f "$env_file"' EXIT
cat >"$env_file" <<YAML
SIGNER: "iam"
SERVICE_ACCOUNT_EMAIL: "${service_account}"
AUTH_AUDIENCES: "${audience}"
STAFF_SECURITY_MANAGERS: "${STAFF_SECURITY_MANAGERS:-}"
STAFF_SUPPORT_AGENTS: "${STAFF_SUPPORT_AGENTS:-}"
SCHEDULER_INVOKERS: "${SCHEDULER_INVOKERS:-}"
GOOGLE_CLOUD_PROJECT: "${project}"
YAML

set_secrets=""
for pair in "${SECRETS[@]}"; do set_secrets+="${set_secrets:+,}${pair}:latest"; done

# --allow-unauthenticated: Apps Script ID tokens are minted for the script's OAuth client, not for
# this URL, so Cloud Run's invoker check cannot verify them; the function verifies each one itself.
gcloud functions deploy "$function" \
  --project="$project" --region="$region" --gen2 --runtime=nodejs20 \
  --source=build/backend --entry-point=sharedContacts --trigger-http \
  --allow-unauthenticated \
  --service-account="$service_account" \
  --env-vars-file="$env_file" \
  --set-secrets="$set_secrets"
echo "deploy-backend: $env deployed as $function in $project ($region)"
