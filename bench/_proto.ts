import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createEncryptor, verifyDecryptable, parseIdentities } from '../src/db/encryption.js';
const [,, mode, recipient, inFile, outFile] = process.argv;
const t0 = performance.now();
if (mode === 'enc') {
  await pipeline(createReadStream(inFile, {highWaterMark: 1<<20}), await createEncryptor([recipient]), createWriteStream(outFile));
} else {
  const ids = parseIdentities('x', (await import('node:fs')).readFileSync(recipient, 'utf8'));
  console.log(await verifyDecryptable(inFile, ids, {file: 'f', recipients: [], input: 'decrypt-identity'}));
}
console.log(mode, ((performance.now()-t0)/1000).toFixed(2), 's rss', (process.resourceUsage().maxRSS/1024).toFixed(0), 'MB');
