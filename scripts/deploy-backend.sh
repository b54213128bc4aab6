#!/usr/bin/env bash
# Deploys build/backend as a 2nd-gen HTTP Cloud Function to one environment, after a pre-flight.
# Usage: scripts/deploy-backend.sh dev|staging|prod (npm run deploy:backend -- staging). Never run
# from CI. What it deploys to was made by scripts/provision.sh; every name and size comes from
# scripts/deploy-environment.ts (project, region and function from config/<env>.json's backendUrl).
# Optional variables: SERVICE_ACCOUNT_EMAIL (default shared-contacts-broker@<project>...: the
# function's identity, which signs delegation JWTs through IAM signJwt), STAFF_SECURITY_MANAGERS,
# STAFF_SUPPORT_AGENTS, SCHEDULER_INVOKERS (comma lists; the provisioned Cloud Scheduler account is
# always an invoker), DEPLOY_TODAY (YYYY-MM-DD: the day compared with the runtime schedule).
#
# Pre-flight, before anything is built or deployed:
#   1. the runtime is not decommissioned in the Cloud Run functions runtime support schedule
#      (config/runtime-schedule.json, compared with today);
#   2. every secret exists in Secret Manager and holds a value;
#   3. the audit anchors' bucket (ANCHOR_BUCKET, which NODE_ENV=production requires) exists, its
#      retention policy is locked and at least as long as provision sets it, and the function's
#      service account holds roles/storage.objectCreator and roles/storage.objectViewer on it;
#   4. the function's service account can sign: a test-mint of a harmless claim set (audience
#      shared-contacts-preflight, 60 s) through IAM signJwt, made as the service account itself
#      (impersonated), which is exactly the call the function makes. It fails unless the account
#      holds roles/iam.serviceAccountTokenCreator on itself (FACTS.md).
# `gcloud functions deploy` has no --no-traffic: a 2nd-gen deploy routes all traffic to the new
# revision once it is ready (cloud.google.com/functions/docs/configuring/traffic-splitting). Being
# able to sign is a property of the service account, not of the revision, so checking it before
# the deploy is as good as checking the new revision before switching, and a failed check leaves
# the serving revision untouched.
#
# Secrets are never passed by value: DATABASE_URL, OTP_ENCRYPTION_KEYS and ALERT_WEBHOOK_URL reach
# the function as Secret Manager references, resolved by Google when an instance starts.
set -euo pipefail
# The Cloud Run functions runtime (test/security/runtime-agreement.test.ts keeps it in step with
# package.json's engines and the build target of scripts/build-backend.js).
RUNTIME=nodejs24
env="${1:?usage: deploy-backend.sh dev|staging|prod}"
cd "$(dirname "$0")/.."

if [ -n "${CI:-}" ]; then
  echo "deploy-backend: never run from CI (CI holds no deployment right)" >&2
  exit 2
fi
tsx=node_modules/.bin/tsx
if [ ! -x "$tsx" ]; then
  echo "deploy-backend: run npm ci first" >&2
  exit 2
fi
settings="$("$tsx" scripts/deploy-environment.ts settings "$env")"
eval "$settings"
read -r -a secret_pairs <<<"$secrets"

for pair in "${secret_pairs[@]}"; do
  variable="${pair%%=*}"
  if [ -n "${!variable:-}" ]; then
    echo "deploy-backend: unset $variable: production secrets come from Secret Manager (${pair#*=}), never from the deployer's shell" >&2
    exit 2
  fi
done
for variable in STAFF_SECURITY_MANAGERS STAFF_SUPPORT_AGENTS SCHEDULER_INVOKERS; do
  if [[ ! "${!variable:-}" =~ ^[A-Za-z0-9._%+@,-]*$ ]]; then
    echo "deploy-backend: $variable must be a comma list of e-mail addresses" >&2
    exit 2
  fi
done

# Pre-flight 1: the runtime.
if ! "$tsx" scripts/deploy-environment.ts runtime "$RUNTIME"; then
  echo "deploy-backend: nothing was deployed" >&2
  exit 1
fi

# Pre-flight 2: the secrets exist and hold a value.
missing=()
empty=()
for pair in "${secret_pairs[@]}"; do
  secret="${pair#*=}"
  if ! gcloud secrets describe "$secret" --project="$project" --format='value(name)' >/dev/null 2>&1; then
    missing+=("$secret")
  elif [ -z "$(gcloud secrets versions list "$secret" --project="$project" --filter='state:enabled' --limit=1 --format='value(name)' 2>/dev/null)" ]; then
    empty+=("$secret")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deploy-backend: Secret Manager of $project lacks ${missing[*]}; run npm run provision -- $env first" >&2
  exit 1
fi
if [ "${#empty[@]}" -gt 0 ]; then
  echo "deploy-backend: no value yet in ${empty[*]} of $project; set each with" >&2
  echo "  gcloud secrets versions add NAME --project=$project --data-file=-   (paste the value, then Ctrl-D)" >&2
  exit 1
fi

# Pre-flight 3: the audit anchors' bucket, locked, writable and readable by the function.
bucket="$(gcloud storage buckets describe "gs://$anchor_bucket" --project="$project" \
  --format='value(retention_policy.isLocked,retention_policy.retentionPeriod)' 2>/dev/null)" || {
  echo "deploy-backend: the audit anchors' bucket gs://$anchor_bucket does not exist; run npm run provision -- $env first. Nothing was deployed." >&2
  exit 1
}
IFS=$'\t' read -r bucket_locked bucket_retention <<<"$bucket"
if [ "${bucket_locked,,}" != true ] || [[ ! "$bucket_retention" =~ ^[0-9]+$ ]] ||
  [ "$bucket_retention" -lt "$anchor_retention_seconds" ]; then
  echo "deploy-backend: the retention policy of gs://$anchor_bucket must be locked and at least $anchor_retention long (locked: ${bucket_locked:-no}, period: ${bucket_retention:-none} s); lock it with gcloud storage buckets update gs://$anchor_bucket --project=$project --lock-retention-period (irreversible). Nothing was deployed." >&2
  exit 1
fi
bucket_policy="$(gcloud storage buckets get-iam-policy "gs://$anchor_bucket" --project="$project" \
  --flatten='bindings[].members' --format='value(bindings.role,bindings.members)')"
for role in roles/storage.objectCreator roles/storage.objectViewer; do
  if ! grep -qxF "$role"$'\t'"serviceAccount:$broker_account" <<<"$bucket_policy"; then
    echo "deploy-backend: $broker_account lacks $role on gs://$anchor_bucket (npm run provision -- $env grants it). Nothing was deployed." >&2
    exit 1
  fi
done

# Pre-flight 4: the service account can sign (a test-mint as itself).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
now="$(date +%s)"
printf '{"iss":"%s","sub":"%s","aud":"shared-contacts-preflight","iat":%d,"exp":%d}\n' \
  "$broker_account" "$broker_account" "$now" "$((now + 60))" >"$work/claims.json"
if ! gcloud iam service-accounts sign-jwt "$work/claims.json" "$work/signed.jwt" \
  --iam-account="$broker_account" --impersonate-service-account="$broker_account" \
  >/dev/null 2>"$work/sign-errors"; then
  sed 's/^/  /' "$work/sign-errors" >&2
  echo "deploy-backend: $broker_account cannot sign through IAM signJwt: it needs roles/iam.serviceAccountTokenCreator on itself (npm run provision -- $env grants it; IAM changes can take a few minutes), and you need the same role on it to run this check. Nothing was deployed." >&2
  exit 1
fi
rm -f "$work/signed.jwt"

npm run lint
npm test
npm run build:backend --silent
node scripts/check-secrets.js build/backend

scheduler_invokers="$scheduler_account${SCHEDULER_INVOKERS:+,$SCHEDULER_INVOKERS}"
# AUTH_AUDIENCES: the add-on's OAuth client id (users' ID tokens) and the function's URL, the
# audience of Cloud Scheduler's OIDC token for /v1/scan.
cat >"$work/env.yaml" <<YAML
NODE_ENV: "production"
SIGNER: "iam"
SERVICE_ACCOUNT_EMAIL: "${broker_account}"
AUTH_AUDIENCES: "${audience},${backend_url}"
STAFF_SECURITY_MANAGERS: "${STAFF_SECURITY_MANAGERS:-}"
STAFF_SUPPORT_AGENTS: "${STAFF_SUPPORT_AGENTS:-}"
SCHEDULER_INVOKERS: "${scheduler_invokers}"
GOOGLE_CLOUD_PROJECT: "${project}"
ANCHOR_BUCKET: "${anchor_bucket}"
YAML

set_secrets=""
for pair in "${secret_pairs[@]}"; do set_secrets+="${set_secrets:+,}${pair}:latest"; done

# --allow-unauthenticated: Apps Script ID tokens are minted for the script's OAuth client, not for
# this URL, so Cloud Run's invoker check cannot verify them; the function verifies each one itself.
# --concurrency needs --cpu=1 or more (gcloud functions deploy reference); the instance limits come
# from scripts/deploy-environment.ts.
gcloud functions deploy "$function_name" \
  --project="$project" --region="$region" --gen2 --runtime="$RUNTIME" \
  --source=build/backend --entry-point=sharedContacts --trigger-http \
  --allow-unauthenticated \
  --service-account="$broker_account" \
  --memory=512Mi --cpu=1 --concurrency=80 --timeout=60s \
  --min-instances="$min_instances" --max-instances="$max_instances" \
  --env-vars-file="$work/env.yaml" \
  --set-secrets="$set_secrets"

# The Cloud SQL connection (the unix socket /cloudsql/<connection> in DATABASE_URL) is set on the
# function's Cloud Run service once; later revisions keep it (Cloud SQL: "Connect from Cloud Run
# functions", cloud.google.com/sql/docs/postgres/connect-functions). Added only when missing.
connected="$(gcloud run services describe "$run_service" --project="$project" --region="$region" \
  --format="value(spec.template.metadata.annotations.'run.googleapis.com/cloudsql-instances')")"
if [[ ",$connected," != *",$sql_connection,"* ]]; then
  gcloud run services update "$run_service" --project="$project" --region="$region" \
    --add-cloudsql-instances="$sql_connection"
fi
echo "deploy-backend: $env deployed as $function_name in $project ($region) on $RUNTIME"
