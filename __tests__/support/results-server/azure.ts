// The Azure Blob Storage REST calls that @azure/storage-blob (inside @actions/cache and
// @actions/artifact) and @actions/http-client make against the signed URLs we hand out:
//   PUT  (x-ms-blob-type: BlockBlob)  Put Blob        -> 201
//   PUT  ?comp=block&blockid=...      Put Block       -> 201
//   PUT  ?comp=blocklist  (XML body)  Put Block List  -> 201
//   HEAD                              Get Blob Properties -> 200
//   GET  (Range / x-ms-range)         Get Blob        -> 200 / 206
//   DELETE                            Delete Blob     -> 202
// SAS query parameters are checked; `rscd` / `rsct` override Content-Disposition / Content-Type
// on reads, as Azure does.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { BlobStoreError, type BlobStore, type StoredBlob } from './blob-store.js';
import type { SasSigner } from './sas.js';

export const AZURE_API_VERSION = '2025-11-05';

export type BlobOperation =
  | 'PutBlob'
  | 'PutBlock'
  | 'PutBlockList'
  | 'GetBlob'
  | 'GetBlobProperties'
  | 'DeleteBlob'
  | 'unknown';

export function classifyBlobRequest(
  method: string,
  query: URLSearchParams,
  headers: IncomingMessage['headers'],
): BlobOperation {
  const comp = query.get('comp');
  if (method === 'PUT' && comp === 'block' && query.has('blockid')) return 'PutBlock';
  if (method === 'PUT' && comp === 'blocklist') return 'PutBlockList';
  if (method === 'PUT' && comp === null && String(headers['x-ms-blob-type'] ?? '') === 'BlockBlob')
    return 'PutBlob';
  if (method === 'GET' && comp === null) return 'GetBlob';
  if (method === 'HEAD' && comp === null) return 'GetBlobProperties';
  if (method === 'DELETE' && comp === null) return 'DeleteBlob';
  return 'unknown';
}

function baseHeaders(res: ServerResponse): void {
  res.setHeader('x-ms-request-id', randomUUID());
  res.setHeader('x-ms-version', AZURE_API_VERSION);
  res.setHeader('Date', new Date().toUTCString());
  res.setHeader('Server', 'results-test-server');
}

export function sendAzureError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  baseHeaders(res);
  res.statusCode = status;
  res.setHeader('x-ms-error-code', code);
  res.setHeader('Content-Type', 'application/xml');
  res.end(
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`,
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Block ids of a Put Block List body, in order (Latest, Uncommitted; Committed is refused). */
export function parseBlockList(xml: string): { ids: string[]; committed: string[] } {
  const ids: string[] = [];
  const committed: string[] = [];
  const re = /<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const id = unescapeXml(m[2].trim());
    if (m[1] === 'Committed') committed.push(id);
    else ids.push(id);
  }
  return { ids, committed };
}

/** `bytes=a-b` / `bytes=a-` -> inclusive range within size, or 'invalid'. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m) return 'invalid';
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'invalid';
  return { start, end };
}

function blobHeaders(res: ServerResponse, blob: StoredBlob, query: URLSearchParams): void {
  baseHeaders(res);
  res.setHeader('ETag', blob.etag);
  res.setHeader('Last-Modified', blob.lastModified.toUTCString());
  res.setHeader('x-ms-creation-time', blob.lastModified.toUTCString());
  res.setHeader('x-ms-blob-type', 'BlockBlob');
  res.setHeader('x-ms-lease-status', 'unlocked');
  res.setHeader('x-ms-lease-state', 'available');
  res.setHeader('x-ms-server-encrypted', 'true');
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', query.get('rsct') ?? blob.contentType);
  const disposition = query.get('rscd') ?? blob.contentDisposition;
  if (disposition) res.setHeader('Content-Disposition', disposition);
}

function writeHeaders(res: ServerResponse, blob: StoredBlob): void {
  baseHeaders(res);
  res.setHeader('ETag', blob.etag);
  res.setHeader('Last-Modified', blob.lastModified.toUTCString());
  res.setHeader('x-ms-request-server-encrypted', 'true');
}

export interface BlobRequestContext {
  store: BlobStore;
  sas: SasSigner;
  /** called after a blob was committed (Put Blob or Put Block List) */
  onCommitted?: (blob: StoredBlob) => void;
}

/** Handles one request to the blob endpoint; returns the operation it recognised. */
export async function handleBlobRequest(
  ctx: BlobRequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  op: BlobOperation,
): Promise<void> {
  // path: /<account>/<container>/<blob...>
  const blobName = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
  const permission =
    op === 'GetBlob' || op === 'GetBlobProperties' ? 'r' : op === 'DeleteBlob' ? 'd' : 'w';
  const denied = ctx.sas.verify(blobName, url.searchParams, permission);
  if (denied) {
    sendAzureError(res, 403, 'AuthenticationFailed', denied);
    return;
  }
  const headers = {
    contentType: header(req, 'x-ms-blob-content-type'),
    contentDisposition: header(req, 'x-ms-blob-content-disposition'),
  };
  try {
    switch (op) {
      case 'PutBlob': {
        const blob = await ctx.store.putBlob(blobName, req, headers);
        ctx.onCommitted?.(blob);
        writeHeaders(res, blob);
        res.statusCode = 201;
        res.end();
        return;
      }
      case 'PutBlock': {
        await ctx.store.stageBlock(blobName, url.searchParams.get('blockid') as string, req);
        baseHeaders(res);
        res.setHeader('x-ms-request-server-encrypted', 'true');
        res.statusCode = 201;
        res.end();
        return;
      }
      case 'PutBlockList': {
        const { ids, committed } = parseBlockList(await readText(req));
        if (committed.length > 0) {
          sendAzureError(
            res,
            400,
            'InvalidBlockList',
            'the test server does not support <Committed> block references',
          );
          return;
        }
        const blob = await ctx.store.commitBlockList(blobName, ids, headers);
        ctx.onCommitted?.(blob);
        writeHeaders(res, blob);
        res.statusCode = 201;
        res.end();
        return;
      }
      case 'GetBlobProperties':
      case 'GetBlob': {
        const blob = ctx.store.get(blobName);
        if (!blob) {
          sendAzureError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
          return;
        }
        const range = parseRange(header(req, 'x-ms-range') ?? header(req, 'range'), blob.size);
        if (range === 'invalid') {
          res.setHeader('Content-Range', `bytes */${blob.size}`);
          sendAzureError(
            res,
            416,
            'InvalidRange',
            'The range specified is invalid for the current size of the resource.',
          );
          return;
        }
        blobHeaders(res, blob, url.searchParams);
        if (op === 'GetBlobProperties') {
          res.setHeader('Content-Length', String(blob.size));
          res.statusCode = 200;
          res.end();
          return;
        }
        const { start, end } = range ?? { start: 0, end: blob.size - 1 };
        res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
        if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${blob.size}`);
        res.statusCode = range ? 206 : 200;
        if (blob.size === 0) {
          res.end();
          return;
        }
        await new Promise<void>((resolve, reject) => {
          createReadStream(blob.file, { start, end })
            .on('error', reject)
            .pipe(res)
            .on('finish', resolve)
            .on('error', reject);
        });
        return;
      }
      case 'DeleteBlob': {
        if (!ctx.store.delete(blobName)) {
          sendAzureError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
          return;
        }
        baseHeaders(res);
        res.statusCode = 202;
        res.end();
        return;
      }
      default:
        sendAzureError(
          res,
          501,
          'NotImplemented',
          `results test server: unsupported blob request ${req.method} ${url.search}`,
        );
    }
  } catch (err) {
    if (err instanceof BlobStoreError) sendAzureError(res, err.status, err.code, err.message);
    else throw err;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
