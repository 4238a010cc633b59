import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode, MODEL_PROVIDERS } from '#contracts';

/** One file of the playground, ready to send: its bytes, gzipped when that pays, and how to cache it. */
export interface PlaygroundFile {
  body: Buffer;
  gzipped: Buffer | null;
  contentType: string;
  etag: string;
  /** Content-hashed names never change content: browsers may keep them for good. */
  immutable: boolean;
}

/** What the page needs from the server before its first request: the providers it may offer. */
export interface PlaygroundConfig {
  modelProviders: readonly string[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where scripts/build.mjs writes the bundle: dist/apps/gateway/web, beside this app's compiled src/. */
const DEFAULT_DIRECTORY = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * The playground's files, read once on first use and kept in memory (tens of kilobytes): the page,
 * with the server's configuration written into it, and the content-hashed script and styles.
 */
@Injectable()
export class PlaygroundService {
  private readonly directory = DEFAULT_DIRECTORY;
  private files: { page: PlaygroundFile; assets: Map<string, PlaygroundFile> } | undefined;

  page(): PlaygroundFile {
    return this.load().page;
  }

  asset(name: string): PlaygroundFile {
    const file = this.load().assets.get(name);
    if (!file) throw new AppError(ErrorCode.NOT_FOUND, 'no such playground file');
    return file;
  }

  private load(): { page: PlaygroundFile; assets: Map<string, PlaygroundFile> } {
    if (this.files) return this.files;
    const assetsDir = join(this.directory, 'assets');
    if (!existsSync(join(this.directory, 'index.html')) || !existsSync(assetsDir)) {
      throw new AppError(ErrorCode.UNAVAILABLE, 'the playground is not built: run `npm run build` (npm start and npm install build it)');
    }
    const config: PlaygroundConfig = { modelProviders: MODEL_PROVIDERS };
    // JSON inside <script>: "<" escaped so no value can close the element.
    const html = readFileSync(join(this.directory, 'index.html'), 'utf8').replace('<!--platform-config-->', JSON.stringify(config).replace(/</g, '\\u003c'));
    const assets = new Map<string, PlaygroundFile>();
    for (const name of readdirSync(assetsDir)) assets.set(name, fileOf(name, readFileSync(join(assetsDir, name)), true));
    this.files = { page: fileOf('index.html', Buffer.from(html), false), assets };
    return this.files;
  }
}

function fileOf(name: string, body: Buffer, immutable: boolean): PlaygroundFile {
  const contentType = CONTENT_TYPES[extname(name)] ?? 'application/octet-stream';
  const compressible = !contentType.startsWith('image/') || contentType === 'image/svg+xml';
  const gzipped = compressible && body.length > 1024 ? gzipSync(body) : null;
  return { body, gzipped, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, immutable };
}
