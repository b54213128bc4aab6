#!/usr/bin/env bash
# Provisions everything the backend needs in one environment's Google Cloud project, then deploys
# it. Usage: scripts/provision.sh dev|staging|prod (npm run provision -- staging). gcloud commands
# only; never run from CI. Idempotent: each resource is described first and created only when
# missing, so a second run creates nothing and can resume an interrupted one. Names and sizes come
# from scripts/deploy-environment.ts (project and region from config/<env>.json's backendUrl).
# Optional: DEPLOYERS, a comma list of principals (user:…, group:…, serviceAccount:…) who deploy
# the backend (default: the account gcloud runs as).
#
# In order:
#   1. the project's APIs;
#   2. the function's service account (the broker) with roles/iam.serviceAccountTokenCreator on
#      itself, which IAM signJwt needs even when it signs as itself (FACTS.md), and the Cloud
#      Scheduler service account;
#   3. for the deployers: roles/iam.serviceAccountUser on both accounts (deploying a function and
#      a job that act as them) and Token Creator on the broker (deploy's sign pre-flight mints as it);
#   4. Cloud SQL for PostgreSQL: instance, database, roles/cloudsql.client for the broker;
#   5. the Cloud Storage bucket of the signed audit anchors (the backend's ANCHOR_BUCKET): 400 days
#      of retention, uniform bucket-level access, public access prevented; the broker may create
#      and read objects in it (roles/storage.objectCreator and objectViewer: no overwrite, no
#      delete); its retention policy is then locked, which cannot be undone (gcloud asks the person
#      to confirm; until it is locked nothing is deployed);
#   6. Secret Manager secrets, created empty, readable by the broker only;
#   7. the database user, with a password generated here that goes from this script's memory to the
#      user (gcloud --flags-file=- on stdin) and into the database_url secret (--data-file=- on
#      stdin), never onto a command line or the screen; DATABASE_URL reaches the database through
#      the unix socket of the function's Cloud SQL connection (/cloudsql/PROJECT:REGION:INSTANCE);
#   8. the Cloud Scheduler job that POSTs /v1/scan every 10 minutes with an OIDC token of the
#      scheduler account (audience: the function's URL; deploy names the account in
#      SCHEDULER_INVOKERS and the URL in AUTH_AUDIENCES);
#   9. the function, through scripts/deploy-backend.sh (NODE_ENV=production, minimum and maximum
#      instances, the Cloud SQL connection, ANCHOR_BUCKET) once every secret holds a value and the
#      bucket is locked; until then it says what a person must do.
# gcloud reference: cloud.google.com/sdk/gcloud/reference (services, iam service-accounts, projects
# add-iam-policy-binding, sql instances|databases|users, storage buckets, secrets, scheduler jobs
# create http); Bucket Lock: cloud.google.com/storage/docs/using-bucket-lock.
set -euo pipefail
env="${1:?usage: provision.sh dev|staging|prod}"
cd "$(dirname "$0")/.."

if [ -n "${CI:-}" ]; then
  echo "provision: never run from CI (CI holds no deployment right)" >&2
  exit 2
fi
tsx=node_modules/.bin/tsx
if [ ! -x "$tsx" ]; then
  echo "provision: run npm ci first" >&2
  exit 2
fi
settings="$("$tsx" scripts/deploy-environment.ts settings "$env")"
eval "$settings"
read -r -a secret_pairs <<<"$secrets"
read -r -a api_list <<<"$apis"

say() { echo "provision [$env]: $*"; }

# The deployers: DEPLOYERS, or the account gcloud runs as.
deployers="${DEPLOYERS:-}"
if [ -z "$deployers" ]; then
  account="$(gcloud config get-value account 2>/dev/null || true)"
  if [ -z "$account" ]; then
    echo "provision: gcloud has no account: run gcloud auth login first" >&2
    exit 2
  fi
  case "$account" in
    *.gserviceaccount.com) deployers="serviceAccount:$account" ;;
    *) deployers="user:$account" ;;
  esac
fi
IFS=',' read -r -a deployer_list <<<"$deployers"
for member in "${deployer_list[@]}"; do
  if [[ ! "$member" =~ ^(user|group|serviceAccount):[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$ ]]; then
    echo "provision: DEPLOYERS must be a comma list of user:EMAIL, group:EMAIL or serviceAccount:EMAIL" >&2
    exit 2
  fi
done

# Lines "ROLE<TAB>MEMBER" of an IAM policy, from `gcloud … get-iam-policy` with these flags.
POLICY_LINES=(--flatten='bindings[].members' --format='value(bindings.role,bindings.members)')

# grant "GROUP" RESOURCE MEMBER ROLE [FLAG…]: adds the binding to the policy of a resource of
# `gcloud GROUP` (iam service-accounts, projects, secrets, storage buckets) unless the policy has
# it already.
grant() {
  local group resource="$2" member="$3" role="$4"
  read -r -a group <<<"$1"
  shift 4
  local policy
  policy="$(gcloud "${group[@]}" get-iam-policy "$resource" "$@" "${POLICY_LINES[@]}")"
  if grep -qxF "$role"$'\t'"$member" <<<"$policy"; then
    say "$member already holds $role on $resource"
  else
    gcloud "${group[@]}" add-iam-policy-binding "$resource" "$@" \
      --member="$member" --role="$role" --condition=None >/dev/null
    say "granted $role on $resource to $member"
  fi
}
grant_on_account() { grant "iam service-accounts" "$1" "$2" "$3" --project="$project"; }
grant_on_project() { grant projects "$project" "$1" "$2"; }
grant_on_secret() { grant secrets "$1" "$2" "$3" --project="$project"; }
grant_on_bucket() { grant "storage buckets" "gs://$anchor_bucket" "$1" "$2" --project="$project"; }

# 1. APIs.
enabled="$(gcloud services list --enabled --project="$project" --format='value(config.name)')"
to_enable=()
for api in "${api_list[@]}"; do
  grep -qxF "$api" <<<"$enabled" || to_enable+=("$api")
done
if [ "${#to_enable[@]}" -gt 0 ]; then
  gcloud services enable "${to_enable[@]}" --project="$project"
  say "enabled ${to_enable[*]}"
else
  say "every API is enabled"
fi

# 2. Service accounts.
ensure_account() {
  local email="$1" description="$2"
  if gcloud iam service-accounts describe "$email" --project="$project" --format='value(email)' >/dev/null 2>&1; then
    say "service account $email exists"
  else
    gcloud iam service-accounts create "${email%%@*}" --project="$project" \
      --display-name="$description"
    say "created service account $email"
  fi
}
ensure_account "$broker_account" "Shared Contacts backend (signs delegation JWTs)"
grant_on_account "$broker_account" "serviceAccount:$broker_account" roles/iam.serviceAccountTokenCreator
ensure_account "$scheduler_account" "Shared Contacts scheduled anomaly scan"

# 3. Deployers.
for member in "${deployer_list[@]}"; do
  grant_on_account "$broker_account" "$member" roles/iam.serviceAccountUser
  grant_on_account "$broker_account" "$member" roles/iam.serviceAccountTokenCreator
  grant_on_account "$scheduler_account" "$member" roles/iam.serviceAccountUser
done

# 4. Cloud SQL for PostgreSQL. Public IP with no authorized network: only Cloud SQL connectors
# (the function's Cloud SQL connection among them) reach it, over TLS.
if gcloud sql instances describe "$sql_instance" --project="$project" --format='value(connectionName)' >/dev/null 2>&1; then
  say "Cloud SQL instance $sql_instance exists"
else
  say "creating Cloud SQL instance $sql_instance (this takes several minutes)"
  gcloud sql instances create "$sql_instance" --project="$project" --region="$region" \
    --database-version="$sql_version" --edition=enterprise --tier="$sql_tier" \
    --availability-type="$sql_availability" --storage-auto-increase \
    --backup-start-time=02:00 --enable-point-in-time-recovery --deletion-protection \
    --ssl-mode=ENCRYPTED_ONLY
fi
if gcloud sql databases describe "$database" --instance="$sql_instance" --project="$project" --format='value(name)' >/dev/null 2>&1; then
  say "database $database exists"
else
  gcloud sql databases create "$database" --instance="$sql_instance" --project="$project"
fi
grant_on_project "serviceAccount:$broker_account" roles/cloudsql.client

# 5. The audit anchors' bucket. Its retention policy as gcloud prints it: "True<TAB>34560000".
bucket_retention() {
  gcloud storage buckets describe "gs://$anchor_bucket" --project="$project" \
    --format='value(retention_policy.isLocked,retention_policy.retentionPeriod)'
}
bucket_locked() {
  local locked period
  IFS=$'\t' read -r locked period <<<"$(bucket_retention)"
  [ "${locked,,}" = true ] && [[ "$period" =~ ^[0-9]+$ ]] && [ "$period" -ge "$anchor_retention_seconds" ]
}
if gcloud storage buckets describe "gs://$anchor_bucket" --project="$project" --format='value(name)' >/dev/null 2>&1; then
  say "bucket gs://$anchor_bucket exists"
else
  gcloud storage buckets create "gs://$anchor_bucket" --project="$project" --location="$region" \
    --retention-period="$anchor_retention" --uniform-bucket-level-access --public-access-prevention
  say "created bucket gs://$anchor_bucket ($anchor_retention of retention)"
fi
grant_on_bucket "serviceAccount:$broker_account" roles/storage.objectCreator
grant_on_bucket "serviceAccount:$broker_account" roles/storage.objectViewer
if bucket_locked; then
  say "the retention policy of gs://$anchor_bucket is locked"
else
  IFS=$'\t' read -r _ period <<<"$(bucket_retention)"
  if [[ ! "$period" =~ ^[0-9]+$ ]] || [ "$period" -lt "$anchor_retention_seconds" ]; then
    gcloud storage buckets update "gs://$anchor_bucket" --project="$project" --retention-period="$anchor_retention"
    say "set the retention period of gs://$anchor_bucket to $anchor_retention"
  fi
  say "locking the retention policy of gs://$anchor_bucket: this cannot be undone (confirm when gcloud asks)"
  if gcloud storage buckets update "gs://$anchor_bucket" --project="$project" --lock-retention-period && bucket_locked; then
    say "locked the retention policy of gs://$anchor_bucket"
  fi
fi

# 6. Secrets, created empty; only the broker may read them.
for pair in "${secret_pairs[@]}"; do
  secret="${pair#*=}"
  if gcloud secrets describe "$secret" --project="$project" --format='value(name)' >/dev/null 2>&1; then
    say "secret $secret exists"
  else
    gcloud secrets create "$secret" --project="$project" --replication-policy=automatic
    say "created secret $secret (empty)"
  fi
  grant_on_secret "$secret" "serviceAccount:$broker_account" roles/secretmanager.secretAccessor
done

# has_value SECRET: whether the secret holds an enabled version.
has_value() {
  [ -n "$(gcloud secrets versions list "$1" --project="$project" --filter='state:enabled' --limit=1 --format='value(name)')" ]
}

# 7. The database user and database_url. A new password is made when the user is created, or when
# database_url holds no value (a run stopped between the two): it is kept only in this shell's
# memory and written by builtins (printf) into gcloud's standard input.
user_exists=false
users="$(gcloud sql users list --instance="$sql_instance" --project="$project" --format='value(name)')"
if grep -qxF "$database_user" <<<"$users"; then
  user_exists=true
fi
if $user_exists && has_value database_url; then
  say "database user $database_user exists and database_url holds its URL"
else
  password="$(node -e 'process.stdout.write("p" + require("node:crypto").randomBytes(32).toString("base64url"))')"
  if $user_exists; then
    printf -- '--password: "%s"\n' "$password" |
      gcloud sql users set-password "$database_user" --instance="$sql_instance" --project="$project" --flags-file=-
    say "set a new generated password for database user $database_user"
  else
    printf -- '--password: "%s"\n' "$password" |
      gcloud sql users create "$database_user" --instance="$sql_instance" --project="$project" --flags-file=-
    say "created database user $database_user with a generated password"
  fi
  printf 'postgresql://%s:%s@/%s?host=/cloudsql/%s' "$database_user" "$password" "$database" "$sql_connection" |
    gcloud secrets versions add database_url --project="$project" --data-file=- >/dev/null
  unset password
  say "database_url holds the URL (through /cloudsql/$sql_connection)"
fi

# 8. The scheduled anomaly scan.
if gcloud scheduler jobs describe "$scan_job" --location="$region" --project="$project" --format='value(name)' >/dev/null 2>&1; then
  say "Cloud Scheduler job $scan_job exists"
else
  gcloud scheduler jobs create http "$scan_job" --location="$region" --project="$project" \
    --schedule="$scan_schedule" --time-zone=Etc/UTC --uri="$scan_uri" --http-method=post \
    --headers=Content-Type=application/json --message-body='{}' \
    --oidc-service-account-email="$scheduler_account" --oidc-token-audience="$backend_url" \
    --attempt-deadline=60s
  say "created Cloud Scheduler job $scan_job ($scan_schedule, POST $scan_uri as $scheduler_account)"
fi

# 9. The function, once every secret holds a value and the anchors' bucket is locked.
empty=()
for pair in "${secret_pairs[@]}"; do
  has_value "${pair#*=}" || empty+=("${pair#*=}")
done
unlocked=false
bucket_locked || unlocked=true
if [ "${#empty[@]}" -gt 0 ] || $unlocked; then
  say "provisioned. Before the first deployment:"
  if [ "${#empty[@]}" -gt 0 ]; then
    say "  set a value in each of: ${empty[*]}"
    say "  gcloud secrets versions add NAME --project=$project --data-file=-   (paste the value, then Ctrl-D)"
  fi
  if $unlocked; then
    say "  lock the anchors' bucket (irreversible; confirm when asked):"
    say "  gcloud storage buckets update gs://$anchor_bucket --project=$project --lock-retention-period"
  fi
  say "then run: npm run provision -- $env (or npm run deploy:backend -- $env)"
  exit 0
fi
say "provisioned; deploying the function"
bash scripts/deploy-backend.sh "$env"
