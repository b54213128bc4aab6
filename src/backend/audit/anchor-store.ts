/**
 * This file defines where audit anchors are kept outside the database: a Cloud Storage bucket
 * whose locked retention policy refuses overwriting and deleting an object until it is older than
 * the retention period (cloud.google.com/storage/docs/bucket-lock), reached through the JSON API
 * with the function's own access token: media uploads with `ifGenerationMatch=0` (create only),
 * reads with `alt=media`, listings by prefix and `startOffset`.
 */
import { SigningUnavailableError } from './blob-signer';

/** A write-once store of small JSON objects, listed in name order. */
export interface AnchorStore {
  readonly location: string;
  /** Creates the object; fails when it exists. */
  create(name: string, text: string): Promise<void>;
  /** The object's text, or null when there is none. */
  read(name: string): Promise<string | null>;
  /** Names under `prefix`, from `startOffset` on, in name order. */
  list(prefix: string, startOffset?: string): Promise<string[]>;
}

const TIMEOUT_MS = 10_000;

/** A Cloud Storage bucket through the JSON API. */
export class CloudStorageAnchorStore implements AnchorStore {
  readonly location: string;

  constructor(
    /** https://storage.googleapis.com (the emulator's base URL locally). */
    private readonly storageUrl: string,
    private readonly bucket: string,
    private readonly ownAccessToken: () => Promise<string>,
  ) {
    this.location = `gs://${bucket}`;
  }

  private async call(url: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        headers: {
          authorization: `Bearer ${await this.ownAccessToken()}`,
          ...(init.headers as Record<string, string> | undefined),
        },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new SigningUnavailableError(
        `Cloud Storage could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async create(name: string, text: string): Promise<void> {
    const url = new URL(
      `/upload/storage/v1/b/${encodeURIComponent(this.bucket)}/o`,
      this.storageUrl,
    );
    url.searchParams.set('uploadType', 'media');
    url.searchParams.set('name', name);
    url.searchParams.set('ifGenerationMatch', '0');
    const response = await this.call(url.toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok)
      throw new SigningUnavailableError(
        `Cloud Storage refused to store ${this.location}/${name}: HTTP ${response.status}`,
      );
  }

  async read(name: string): Promise<string | null> {
    const url = new URL(
      `/storage/v1/b/${encodeURIComponent(this.bucket)}/o/${encodeURIComponent(name)}`,
      this.storageUrl,
    );
    url.searchParams.set('alt', 'media');
    const response = await this.call(url.toString());
    if (response.status === 404) return null;
    if (!response.ok)
      throw new SigningUnavailableError(
        `Cloud Storage refused to read ${this.location}/${name}: HTTP ${response.status}`,
      );
    return response.text();
  }

  async list(prefix: string, startOffset?: string): Promise<string[]> {
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const url = new URL(`/storage/v1/b/${encodeURIComponent(this.bucket)}/o`, this.storageUrl);
      url.searchParams.set('prefix', prefix);
      url.searchParams.set('fields', 'items(name),nextPageToken');
      if (startOffset) url.searchParams.set('startOffset', startOffset);
      if (pageToken) url.searchParams.set('pageToken', pageToken);
      const response = await this.call(url.toString());
      if (!response.ok)
        throw new SigningUnavailableError(
          `Cloud Storage refused to list ${this.location}: HTTP ${response.status}`,
        );
      const body = (await response.json()) as {
        items?: { name?: unknown }[];
        nextPageToken?: unknown;
      };
      for (const item of body.items ?? []) if (typeof item.name === 'string') names.push(item.name);
      pageToken = typeof body.nextPageToken === 'string' ? body.nextPageToken : undefined;
    } while (pageToken);
    return names;
  }
}
