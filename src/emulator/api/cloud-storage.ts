/**
 * This file emulates the part of the Cloud Storage JSON API that the backend's audit anchors use,
 * with Google's paths, parameters and error bodies: media uploads (`objects.insert` with
 * `uploadType=media`, `ifGenerationMatch`), reads (`objects.get`, `alt=media`), listings
 * (`objects.list` with `prefix`, `startOffset`, `endOffset`, `maxResults`, `pageToken`),
 * `objects.delete`, `buckets.get`, `buckets.patch` of the retention policy and
 * `buckets.lockRetentionPolicy`. Sources:
 * - cloud.google.com/storage/docs/bucket-lock: "When a bucket retention policy is set, objects
 *   in the bucket can only be deleted or replaced once their age is greater than the retention
 *   period"; "Once you lock a policy, you cannot remove it or reduce the retention period it has";
 *   "You can increase the retention period of a locked policy".
 * - cloud.google.com/storage/docs/json_api/v1/objects/insert: `ifGenerationMatch` "Setting to 0
 *   makes the operation succeed only if there are no live versions of the object"; a failed
 *   precondition is HTTP 412 (cloud.google.com/storage/docs/request-preconditions).
 * - The refusal's wording, as Google's client libraries report it (e.g. sitespeedio/sitespeed.io
 *   issue 2749): "Object '…' is subject to bucket's retention policy and cannot be deleted,
 *   overwritten or archived until <time>", HTTP 403.
 * Access is by bucket role, standing in for IAM: `admins` (storage.buckets.update and all object
 * rights), `writers` (roles/storage.objectCreator plus read: create, get, list — never delete),
 * `readers` (get, list). Object data is kept as text (the backend stores JSON).
 */
import { GoogleApiError, invalidArgument } from './google-errors';
import { JsonText, type Route, type RouteContext, type RouteResult } from './route-context';
import type { VirtualClock } from './contract';

/** The scopes that give access to Cloud Storage (devstorage.*, cloud-platform). */
export const STORAGE_SCOPES = {
  read: [
    'https://www.googleapis.com/auth/devstorage.read_only',
    'https://www.googleapis.com/auth/devstorage.read_write',
    'https://www.googleapis.com/auth/devstorage.full_control',
    'https://www.googleapis.com/auth/cloud-platform',
    'https://www.googleapis.com/auth/cloud-platform.read-only',
  ],
  write: [
    'https://www.googleapis.com/auth/devstorage.read_write',
    'https://www.googleapis.com/auth/devstorage.full_control',
    'https://www.googleapis.com/auth/cloud-platform',
  ],
};

/** A bucket's retention policy (`retentionPolicy` of the bucket resource). */
export interface RetentionPolicy {
  retentionPeriodSeconds: number;
  effectiveTime: number;
  isLocked: boolean;
}

interface StoredObject {
  name: string;
  generation: number;
  data: string;
  contentType: string;
  timeCreated: number;
}

/** A bucket and who may use it. */
export interface Bucket {
  name: string;
  metageneration: number;
  timeCreated: number;
  retention?: RetentionPolicy;
  admins: Set<string>;
  writers: Set<string>;
  readers: Set<string>;
  objects: Map<string, StoredObject>;
}

/** How to create a bucket (control API). */
export interface BucketSpec {
  name: string;
  /** Seconds objects must be kept; none when absent. */
  retentionSeconds?: number;
  /** Locks the retention policy at once. */
  locked?: boolean;
  admins?: string[];
  writers?: string[];
  readers?: string[];
}

function storageError(code: number, message: string, reason: string): GoogleApiError {
  return new GoogleApiError(
    code,
    message,
    code === 412 ? 'FAILED_PRECONDITION' : undefined,
    undefined,
    {
      message,
      domain: 'global',
      reason,
    },
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The buckets of the emulated project. */
export class CloudStorageState {
  readonly buckets = new Map<string, Bucket>();
  private nextGeneration = 1_700_000_000_000_000;

  constructor(private readonly clock: VirtualClock) {}

  /** Creates a bucket (as `gcloud storage buckets create --retention-period` would). */
  createBucket(spec: BucketSpec): Bucket {
    if (!/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(spec.name))
      throw new Error(`Invalid bucket name: ${spec.name}`);
    if (this.buckets.has(spec.name)) throw new Error(`Bucket ${spec.name} already exists.`);
    const now = this.clock.now();
    const bucket: Bucket = {
      name: spec.name,
      metageneration: 1,
      timeCreated: now,
      retention:
        spec.retentionSeconds === undefined
          ? undefined
          : {
              retentionPeriodSeconds: spec.retentionSeconds,
              effectiveTime: now,
              isLocked: spec.locked ?? false,
            },
      admins: new Set((spec.admins ?? []).map((p) => p.toLowerCase())),
      writers: new Set((spec.writers ?? []).map((p) => p.toLowerCase())),
      readers: new Set((spec.readers ?? []).map((p) => p.toLowerCase())),
      objects: new Map(),
    };
    this.buckets.set(spec.name, bucket);
    return bucket;
  }

  /** Forgets every bucket. */
  reset(): void {
    this.buckets.clear();
  }

  /** The Cloud Storage JSON API routes. */
  routes(): Route[] {
    const route = (
      method: string,
      pattern: RegExp,
      operation: string,
      access: 'read' | 'write',
      run: Route['run'],
    ): Route => ({
      host: 'storage.googleapis.com',
      quota: 'none',
      mutation: false,
      method,
      pattern,
      operation,
      rpc: operation,
      scopes: STORAGE_SCOPES[access],
      run,
    });
    const BUCKET = /^\/storage\/v1\/b\/([^/]+)$/;
    const OBJECTS = /^\/storage\/v1\/b\/([^/]+)\/o$/;
    const OBJECT = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/;
    return [
      route(
        'POST',
        /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/,
        'storage.objects.insert',
        'write',
        (context) => this.insert(context),
      ),
      route('GET', OBJECTS, 'storage.objects.list', 'read', (context) => this.list(context)),
      route('GET', OBJECT, 'storage.objects.get', 'read', (context) => this.get(context)),
      route('DELETE', OBJECT, 'storage.objects.delete', 'write', (context) => this.delete(context)),
      route('GET', BUCKET, 'storage.buckets.get', 'read', (context) => ({
        body: this.bucketResource(this.bucket(context, 'read')),
      })),
      route('PATCH', BUCKET, 'storage.buckets.patch', 'write', (context) =>
        this.patchBucket(context),
      ),
      route(
        'POST',
        /^\/storage\/v1\/b\/([^/]+)\/lockRetentionPolicy$/,
        'storage.buckets.lockRetentionPolicy',
        'write',
        (context) => this.lock(context),
      ),
    ];
  }

  private bucket(context: RouteContext, need: 'read' | 'write' | 'admin'): Bucket {
    const name = context.params[0] ?? '';
    const bucket = this.buckets.get(name);
    if (!bucket) throw storageError(404, 'The specified bucket does not exist.', 'notFound');
    const who = context.caller.email;
    const allowed =
      bucket.admins.has(who) ||
      (need !== 'admin' && bucket.writers.has(who)) ||
      (need === 'read' && bucket.readers.has(who));
    if (!allowed) {
      const permission =
        need === 'admin'
          ? 'storage.buckets.update'
          : need === 'write'
            ? 'storage.objects.create'
            : 'storage.objects.get';
      throw storageError(
        403,
        `${who} does not have ${permission} access to the Google Cloud Storage bucket. Permission '${permission}' denied on resource (or it may not exist).`,
        'forbidden',
      );
    }
    return bucket;
  }

  /** The time until which an object is held, or 0 when the bucket keeps nothing. */
  private heldUntil(bucket: Bucket, object: StoredObject): number {
    if (!bucket.retention) return 0;
    return (
      Math.max(object.timeCreated, bucket.retention.effectiveTime) +
      bucket.retention.retentionPeriodSeconds * 1000
    );
  }

  private refuseWhileHeld(bucket: Bucket, object: StoredObject, now: number): void {
    const until = this.heldUntil(bucket, object);
    if (until > now)
      throw storageError(
        403,
        `Object '${bucket.name}/${object.name}' is subject to bucket's retention policy and cannot be deleted, overwritten or archived until ${iso(until)}`,
        'retentionPolicyNotMet',
      );
  }

  private objectResource(bucket: Bucket, object: StoredObject): Record<string, unknown> {
    const until = this.heldUntil(bucket, object);
    return {
      kind: 'storage#object',
      id: `${bucket.name}/${object.name}/${object.generation}`,
      name: object.name,
      bucket: bucket.name,
      generation: String(object.generation),
      metageneration: '1',
      contentType: object.contentType,
      size: String(Buffer.byteLength(object.data)),
      timeCreated: iso(object.timeCreated),
      updated: iso(object.timeCreated),
      ...(until > 0 ? { retentionExpirationTime: iso(until) } : {}),
    };
  }

  private bucketResource(bucket: Bucket): Record<string, unknown> {
    return {
      kind: 'storage#bucket',
      id: bucket.name,
      name: bucket.name,
      metageneration: String(bucket.metageneration),
      timeCreated: iso(bucket.timeCreated),
      ...(bucket.retention
        ? {
            retentionPolicy: {
              retentionPeriod: String(bucket.retention.retentionPeriodSeconds),
              effectiveTime: iso(bucket.retention.effectiveTime),
              ...(bucket.retention.isLocked ? { isLocked: true } : {}),
            },
          }
        : {}),
    };
  }

  private insert(context: RouteContext): RouteResult {
    const bucket = this.bucket(context, 'write');
    const query = context.url.searchParams;
    if (query.get('uploadType') !== 'media')
      throw invalidArgument('Only uploadType=media is emulated.');
    const name = query.get('name');
    if (!name) throw storageError(400, 'Required parameter: name', 'required');
    const existing = bucket.objects.get(name);
    const match = query.get('ifGenerationMatch');
    if (match !== null) {
      const want = Number(match);
      if (want === 0 ? existing !== undefined : existing?.generation !== want)
        throw storageError(
          412,
          'At least one of the pre-conditions you specified did not hold.',
          'conditionNotMet',
        );
    }
    if (existing) {
      if (!bucket.admins.has(context.caller.email))
        throw storageError(
          403,
          `${context.caller.email} does not have storage.objects.delete access to the Google Cloud Storage object. Permission 'storage.objects.delete' denied on resource (or it may not exist).`,
          'forbidden',
        );
      this.refuseWhileHeld(bucket, existing, context.now);
    }
    this.nextGeneration += 1;
    const object: StoredObject = {
      name,
      generation: this.nextGeneration,
      data: context.body ?? '',
      contentType: 'application/json',
      timeCreated: context.now,
    };
    bucket.objects.set(name, object);
    return { body: this.objectResource(bucket, object) };
  }

  private get(context: RouteContext): RouteResult {
    const bucket = this.bucket(context, 'read');
    const name = context.params[1] ?? '';
    const object = bucket.objects.get(name);
    if (!object) throw storageError(404, `No such object: ${bucket.name}/${name}`, 'notFound');
    if (context.url.searchParams.get('alt') === 'media') return { body: new JsonText(object.data) };
    return { body: this.objectResource(bucket, object) };
  }

  private list(context: RouteContext): RouteResult {
    const bucket = this.bucket(context, 'read');
    const query = context.url.searchParams;
    const prefix = query.get('prefix') ?? '';
    const start = query.get('pageToken') ?? query.get('startOffset') ?? '';
    const end = query.get('endOffset');
    const max = Math.min(1000, Math.max(1, Number(query.get('maxResults') ?? 1000) || 1000));
    const names = [...bucket.objects.keys()]
      .filter((name) => name.startsWith(prefix) && name >= start && (end === null || name < end))
      .sort();
    const page = names.slice(0, max);
    const next = names[max];
    return {
      body: {
        kind: 'storage#objects',
        ...(page.length > 0
          ? {
              items: page.map((name) =>
                this.objectResource(bucket, bucket.objects.get(name) as StoredObject),
              ),
            }
          : {}),
        ...(next !== undefined ? { nextPageToken: next } : {}),
      },
    };
  }

  private delete(context: RouteContext): RouteResult {
    const bucket = this.bucket(context, 'admin');
    const name = context.params[1] ?? '';
    const object = bucket.objects.get(name);
    if (!object) throw storageError(404, `No such object: ${bucket.name}/${name}`, 'notFound');
    this.refuseWhileHeld(bucket, object, context.now);
    bucket.objects.delete(name);
    return { status: 204, body: new JsonText('') };
  }

  private patchBucket(context: RouteContext): RouteResult {
    const bucket = this.bucket(context, 'admin');
    let patch: { retentionPolicy?: { retentionPeriod?: unknown } | null };
    try {
      patch = JSON.parse(context.body ?? '{}') as typeof patch;
    } catch {
      throw invalidArgument('Invalid JSON payload received.');
    }
    if (!('retentionPolicy' in patch)) return { body: this.bucketResource(bucket) };
    const wanted =
      patch.retentionPolicy === null || patch.retentionPolicy === undefined
        ? undefined
        : Number(patch.retentionPolicy.retentionPeriod);
    if (wanted !== undefined && (!Number.isInteger(wanted) || wanted < 1))
      throw invalidArgument('Invalid argument: retentionPeriod.');
    if (bucket.retention?.isLocked) {
      if (wanted === undefined || wanted < bucket.retention.retentionPeriodSeconds)
        throw storageError(
          403,
          'Cannot reduce retention duration or remove the retention policy of a locked bucket.',
          'forbidden',
        );
      bucket.retention.retentionPeriodSeconds = wanted;
    } else
      bucket.retention =
        wanted === undefined
          ? undefined
          : { retentionPeriodSeconds: wanted, effectiveTime: context.now, isLocked: false };
    bucket.metageneration += 1;
    return { body: this.bucketResource(bucket) };
  }

  private lock(context: RouteContext): RouteResult {
    const bucket = this.bucket(context, 'admin');
    const match = context.url.searchParams.get('ifMetagenerationMatch');
    if (match === null)
      throw storageError(400, 'Required parameter: ifMetagenerationMatch', 'required');
    if (Number(match) !== bucket.metageneration)
      throw storageError(
        412,
        'At least one of the pre-conditions you specified did not hold.',
        'conditionNotMet',
      );
    if (!bucket.retention)
      throw storageError(400, 'The bucket has no retention policy to lock.', 'invalid');
    bucket.retention.isLocked = true;
    bucket.metageneration += 1;
    return { body: this.bucketResource(bucket) };
  }
}
