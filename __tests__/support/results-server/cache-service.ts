// github.actions.results.api.v1.CacheService as @actions/cache 6 (cache service v2) calls it:
// CreateCacheEntry -> signed upload URL; the client uploads the archive to it (Put Blob, or
// Put Block + Put Block List above 128 MiB); FinalizeCacheEntryUpload commits the entry;
// GetCacheEntryDownloadURL looks up key, then restore keys (exact, then prefix; newest first),
// always within the same version (the hash of paths + compression).
import type { BlobStore } from './blob-store.js';
import type { SasSigner } from './sas.js';
import { type JsonObject, TwirpError, requireStr, str, strList } from './twirp.js';

export interface CacheEntryInfo {
  id: number;
  key: string;
  version: string;
  /** bytes of the stored archive */
  size: number;
  sha256: string;
  /** blob name in the store (`actions-cache/...`) */
  blobName: string;
  createdAt: Date;
}

interface CacheEntry {
  id: number;
  key: string;
  version: string;
  blobName: string;
  finalized: boolean;
  size: number;
  createdAt: Date;
}

const URL_TTL_MS = 60 * 60 * 1000;

export class CacheService {
  private readonly entries: CacheEntry[] = [];
  private nextId = 1;

  constructor(
    private readonly store: BlobStore,
    private readonly sas: SasSigner,
    private readonly origin: () => string,
  ) {}

  handle(method: string, body: JsonObject): JsonObject | undefined {
    switch (method) {
      case 'CreateCacheEntry':
        return this.create(body);
      case 'FinalizeCacheEntryUpload':
        return this.finalize(body);
      case 'GetCacheEntryDownloadURL':
        return this.lookup(body);
      default:
        return undefined;
    }
  }

  private create(body: JsonObject): JsonObject {
    const key = requireStr(body, 'key');
    const version = requireStr(body, 'version');
    const existing = this.entries.find((e) => e.key === key && e.version === version);
    if (existing?.finalized) {
      throw new TwirpError(
        'already_exists',
        'cache entry with the same key, version, and scope already exists',
      );
    }
    if (existing) this.entries.splice(this.entries.indexOf(existing), 1);
    const id = this.nextId++;
    const entry: CacheEntry = {
      id,
      key,
      version,
      blobName: `actions-cache/${id}/cache.tzst`,
      finalized: false,
      size: 0,
      createdAt: new Date(),
    };
    this.entries.push(entry);
    return {
      ok: true,
      signed_upload_url: this.sas.url(this.origin(), entry.blobName, 'cw', URL_TTL_MS),
    };
  }

  private finalize(body: JsonObject): JsonObject {
    const key = requireStr(body, 'key');
    const version = requireStr(body, 'version');
    const entry = this.entries.find((e) => e.key === key && e.version === version && !e.finalized);
    if (!entry)
      throw new TwirpError(
        'not_found',
        `no cache entry reserved for key ${key} and version ${version}`,
      );
    const blob = this.store.get(entry.blobName);
    if (!blob) return { ok: false, message: `cache archive for key ${key} was never uploaded` };
    const claimed = Number(str(body, 'size_bytes') || '0');
    if (claimed !== blob.size) {
      return {
        ok: false,
        message: `size mismatch: client says ${claimed} bytes, storage holds ${blob.size}`,
      };
    }
    entry.finalized = true;
    entry.size = blob.size;
    return { ok: true, entry_id: String(entry.id) };
  }

  private lookup(body: JsonObject): JsonObject {
    const key = requireStr(body, 'key');
    const version = requireStr(body, 'version');
    const candidates = this.entries
      .filter((e) => e.finalized && e.version === version)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
    let match = candidates.find((e) => e.key === key);
    for (const restoreKey of strList(body, 'restore_keys')) {
      if (match) break;
      match =
        candidates.find((e) => e.key === restoreKey) ??
        candidates.find((e) => e.key.startsWith(restoreKey));
    }
    if (!match) return { ok: false };
    return {
      ok: true,
      signed_download_url: this.sas.url(this.origin(), match.blobName, 'r', URL_TTL_MS),
      matched_key: match.key,
    };
  }

  list(): CacheEntryInfo[] {
    return this.entries
      .filter((e) => e.finalized)
      .map((e) => {
        const blob = this.store.get(e.blobName);
        return {
          id: e.id,
          key: e.key,
          version: e.version,
          size: blob?.size ?? 0,
          sha256: blob?.sha256 ?? '',
          blobName: e.blobName,
          createdAt: e.createdAt,
        };
      });
  }

  /** Removes an entry (as if evicted), so the next restore misses. */
  evict(key: string): boolean {
    const before = this.entries.length;
    for (const e of this.entries.filter((x) => x.key === key)) {
      this.store.delete(e.blobName);
      this.entries.splice(this.entries.indexOf(e), 1);
    }
    return this.entries.length < before;
  }
}
