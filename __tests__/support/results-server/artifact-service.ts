// github.actions.results.api.v1.ArtifactService as @actions/artifact 6 calls it:
// CreateArtifact -> signed upload URL; the client streams the zip (or, with `skipArchive`,
// the raw file) as Put Block + Put Block List; FinalizeArtifact commits it (size and
// sha256 are checked against what storage holds); ListArtifacts (name / id filters),
// GetSignedArtifactURL (a read URL whose `rscd` sets Content-Disposition, which the client
// uses as the file name of a non-zip download) and DeleteArtifact.
import type { BlobStore } from './blob-store.js';
import type { SasSigner } from './sas.js';
import { type JsonObject, TwirpError, requireStr, str, wrapper } from './twirp.js';

export interface ArtifactInfo {
  id: number;
  name: string;
  /** the file name a download gets (`<name>.zip` for zipped artifacts) */
  fileName: string;
  /** true when the client uploaded a zip archive (the default), false for `skipArchive` */
  zipped: boolean;
  mimeType: string;
  /** bytes stored (the zip for zipped artifacts) */
  size: number;
  /** sha256 hex of the stored bytes */
  sha256: string;
  /** digest the client reported at finalize (`sha256:<hex>`), if any */
  clientDigest?: string;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  blobName: string;
  createdAt: Date;
  expiresAt?: Date;
}

interface Artifact {
  id: number;
  run: string;
  job: string;
  name: string;
  fileName: string;
  mimeType: string;
  blobName: string;
  finalized: boolean;
  clientDigest?: string;
  createdAt: Date;
  expiresAt?: Date;
}

const URL_TTL_MS = 60 * 60 * 1000;

function safePathSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'artifact';
}

/** `attachment; filename="..."; filename*=UTF-8''...` as Azure echoes from `rscd`. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export class ArtifactService {
  private readonly artifacts: Artifact[] = [];
  private nextId = 1;

  constructor(
    private readonly store: BlobStore,
    private readonly sas: SasSigner,
    private readonly origin: () => string,
    private readonly runBackendId: string,
  ) {}

  handle(method: string, body: JsonObject): JsonObject | undefined {
    switch (method) {
      case 'CreateArtifact':
        return this.create(body);
      case 'FinalizeArtifact':
        return this.finalize(body);
      case 'ListArtifacts':
        return this.listRpc(body);
      case 'GetSignedArtifactURL':
        return this.signedUrl(body);
      case 'DeleteArtifact':
        return this.delete(body);
      default:
        return undefined;
    }
  }

  private checkRun(body: JsonObject): { run: string; job: string } {
    const run = requireStr(body, 'workflow_run_backend_id');
    const job = requireStr(body, 'workflow_job_run_backend_id');
    if (run !== this.runBackendId) {
      throw new TwirpError(
        'permission_denied',
        `workflow run backend id ${run} does not belong to this token`,
      );
    }
    return { run, job };
  }

  private create(body: JsonObject): JsonObject {
    const { run, job } = this.checkRun(body);
    const name = requireStr(body, 'name');
    const version = Number(str(body, 'version') || '0');
    if (version < 4)
      throw new TwirpError('invalid_argument', `artifact version ${version} is not supported`);
    const mimeType = wrapper(body, 'mime_type') ?? 'application/zip';
    const taken = this.artifacts.find((a) => a.run === run && a.name === name);
    if (taken?.finalized) {
      throw new TwirpError(
        'already_exists',
        'an artifact with this name already exists on the workflow run',
      );
    }
    if (taken) this.remove(taken);
    const zipped = mimeType === 'application/zip' && !name.toLowerCase().endsWith('.zip');
    const fileName = zipped ? `${name}.zip` : name;
    const id = this.nextId++;
    const expires = str(body, 'expires_at');
    const artifact: Artifact = {
      id,
      run,
      job,
      name,
      fileName,
      mimeType,
      blobName: `actions-results/${run}/${id}/${safePathSegment(fileName)}`,
      finalized: false,
      createdAt: new Date(),
      expiresAt: expires ? new Date(expires) : undefined,
    };
    this.artifacts.push(artifact);
    return {
      ok: true,
      signed_upload_url: this.sas.url(this.origin(), artifact.blobName, 'cw', URL_TTL_MS),
    };
  }

  private finalize(body: JsonObject): JsonObject {
    const { run } = this.checkRun(body);
    const name = requireStr(body, 'name');
    const artifact = this.artifacts.find((a) => a.run === run && a.name === name && !a.finalized);
    if (!artifact) throw new TwirpError('not_found', `no artifact named ${name} is being uploaded`);
    const blob = this.store.get(artifact.blobName);
    if (!blob)
      throw new TwirpError(
        'failed_precondition',
        `artifact ${name}: nothing was uploaded to storage`,
      );
    const claimed = Number(str(body, 'size') || '0');
    if (claimed !== blob.size) {
      throw new TwirpError(
        'invalid_argument',
        `artifact ${name}: client says ${claimed} bytes, storage holds ${blob.size}`,
      );
    }
    const hash = wrapper(body, 'hash');
    if (hash !== undefined && hash !== `sha256:${blob.sha256}`) {
      throw new TwirpError(
        'invalid_argument',
        `artifact ${name}: digest ${hash} does not match stored sha256:${blob.sha256}`,
      );
    }
    artifact.finalized = true;
    artifact.clientDigest = hash;
    return { ok: true, artifact_id: String(artifact.id) };
  }

  private find(body: JsonObject): Artifact[] {
    const { run } = this.checkRun(body);
    const nameFilter = wrapper(body, 'name_filter');
    const idFilter = wrapper(body, 'id_filter');
    return this.artifacts.filter(
      (a) =>
        a.finalized &&
        a.run === run &&
        (nameFilter === undefined || a.name === nameFilter) &&
        (idFilter === undefined || String(a.id) === idFilter),
    );
  }

  private listRpc(body: JsonObject): JsonObject {
    return {
      artifacts: this.find(body).map((a) => {
        const blob = this.store.get(a.blobName);
        return {
          workflow_run_backend_id: a.run,
          workflow_job_run_backend_id: a.job,
          database_id: String(a.id),
          name: a.name,
          size: String(blob?.size ?? 0),
          created_at: a.createdAt.toISOString(),
          ...(blob ? { digest: `sha256:${blob.sha256}` } : {}),
        };
      }),
    };
  }

  private byName(body: JsonObject): Artifact {
    const { run } = this.checkRun(body);
    const name = requireStr(body, 'name');
    const found = this.artifacts
      .filter((a) => a.finalized && a.run === run && a.name === name)
      .sort((a, b) => b.id - a.id)[0];
    if (!found) throw new TwirpError('not_found', `artifact ${name} not found`);
    return found;
  }

  private signedUrl(body: JsonObject): JsonObject {
    const artifact = this.byName(body);
    return {
      signed_url: this.sas.url(this.origin(), artifact.blobName, 'r', URL_TTL_MS, {
        rscd: contentDisposition(artifact.fileName),
        rsct: artifact.mimeType,
      }),
    };
  }

  private delete(body: JsonObject): JsonObject {
    const artifact = this.byName(body);
    this.remove(artifact);
    return { ok: true, artifact_id: String(artifact.id) };
  }

  private remove(artifact: Artifact): void {
    this.store.delete(artifact.blobName);
    this.artifacts.splice(this.artifacts.indexOf(artifact), 1);
  }

  list(): ArtifactInfo[] {
    return this.artifacts
      .filter((a) => a.finalized)
      .map((a) => {
        const blob = this.store.get(a.blobName);
        return {
          id: a.id,
          name: a.name,
          fileName: a.fileName,
          zipped: a.fileName !== a.name,
          mimeType: a.mimeType,
          size: blob?.size ?? 0,
          sha256: blob?.sha256 ?? '',
          clientDigest: a.clientDigest,
          workflowRunBackendId: a.run,
          workflowJobRunBackendId: a.job,
          blobName: a.blobName,
          createdAt: a.createdAt,
          expiresAt: a.expiresAt,
        };
      });
  }
}
