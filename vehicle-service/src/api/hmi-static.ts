import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** hmi-web's production build, next to this package in the repository. */
export const DEFAULT_HMI_DIST = fileURLToPath(new URL('../../../hmi-web/dist', import.meta.url));

export interface HmiStaticOptions {
  /** The built HMI (hmi-web/dist). */
  root?: string;
  /**
   * Paths that belong to the API and never fall back to the HMI's index.html: an unknown
   * /v1/... keeps answering the API's JSON 404.
   */
  apiPrefixes?: readonly string[];
}

const DEFAULT_API_PREFIXES = ['/v1', '/healthz', '/metrics', '/docs'];

/** Hashed file names (Vite: assets/name-[hash].ext): the content never changes under that name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and unhashed files: always revalidate (ETag / Last-Modified make that cheap). */
const REVALIDATE = 'no-cache';

/**
 * The page's policy: everything from this origin; WebSockets back to it; microphone audio runs in
 * an AudioWorklet loaded from a blob: URL; uPlot sets inline styles.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: data:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

function missingBuildPage(root: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Auriga: screen not built</title>
<style>body{font:18px system-ui,sans-serif;margin:3em;color:#111827;background:#fff}code{background:#eef1f5;padding:2px 6px;border-radius:4px}</style>
</head><body>
<h1>The head-unit screen is not built</h1>
<p>The vehicle service is running (the API is under <code>/v1</code>, health at <code>/healthz</code>),
but there is no HMI build in <code>${esc(root)}</code>.</p>
<p>Build it with <code>npm run build -w hmi-web</code>, then reload this page.</p>
</body></html>`;
}

/**
 * Serves the HMI's production build: index.html (no-cache) for the page and every client-side
 * route, hashed files under /assets as immutable, a 503 page that says how to build when the build
 * is missing. API paths are left to the API (its own 404 for unknown routes).
 *
 *   await app.register(hmiStaticPlugin({ root: '/path/to/hmi-web/dist' }));
 */
export function hmiStaticPlugin(opts: HmiStaticOptions = {}): FastifyPluginAsync {
  const root = resolve(opts.root ?? DEFAULT_HMI_DIST);
  const apiPrefixes = opts.apiPrefixes ?? DEFAULT_API_PREFIXES;
  const isApiPath = (path: string) => apiPrefixes.some((p) => path === p || path.startsWith(`${p}/`));

  return async function hmiStatic(app: FastifyInstance) {
    // serve: false: no wildcard route of the plugin's own; only reply.sendFile, used below.
    await app.register(fastifyStatic, { root, serve: false, cacheControl: false, etag: true, lastModified: true });

    const sendIndex = (reply: FastifyReply) => {
      if (!existsSync(join(root, 'index.html'))) {
        return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(missingBuildPage(root));
      }
      return reply
        .header('cache-control', REVALIDATE)
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .sendFile('index.html', root);
    };

    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      let path: string;
      try {
        path = decodeURIComponent(req.url.split('?')[0]!.split('#')[0]!);
      } catch {
        return reply.callNotFound();
      }
      if (isApiPath(path)) return reply.callNotFound();
      if (path === '/' || path === '/index.html') return sendIndex(reply);

      const file = fileInRoot(root, path);
      if (file) {
        const immutable = path.startsWith('/assets/');
        return reply
          .header('cache-control', immutable ? IMMUTABLE : REVALIDATE)
          .header('x-content-type-options', 'nosniff')
          .sendFile(file, root);
      }
      // A missing file (it has an extension, or lives under /assets) is a 404, never index.html:
      // serving HTML under a script's name, or caching it as immutable, would break the page.
      if (path.startsWith('/assets/') || /\.[A-Za-z0-9]+$/.test(path)) return reply.callNotFound();
      // Client-side routes (/vehicle, /drive, ...) get the page.
      return sendIndex(reply);
    };

    app.get('/*', handler);
  };
}

/** The file's path relative to root when it is a regular file inside root; undefined otherwise. */
function fileInRoot(root: string, urlPath: string): string | undefined {
  if (urlPath.includes('\0')) return undefined;
  const rel = normalize(urlPath).replace(/^[/\\]+/, '');
  const full = resolve(root, rel);
  const inside = relative(root, full);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).some((part) => part.startsWith('.'))) return undefined;
  try {
    return statSync(full).isFile() ? inside.split(sep).join('/') : undefined;
  } catch {
    return undefined;
  }
}
