import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { hmiStaticPlugin } from './hmi-static.js';

const dirs: string[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function distDir(withBuild = true): string {
  const root = mkdtempSync(join(tmpdir(), 'auriga-hmi-dist-'));
  dirs.push(root);
  if (withBuild) {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Auriga</title><script type="module" src="/assets/index-AbC123.js"></script>');
    writeFileSync(join(root, 'assets', 'index-AbC123.js'), 'console.log("hmi")');
    writeFileSync(join(root, 'assets', 'index-Def456.css'), 'body{}');
    writeFileSync(join(root, 'robots.txt'), 'User-agent: *');
    writeFileSync(join(root, '.env'), 'SECRET=1');
  }
  return root;
}

/** An app shaped like the service's: an API route, the API's JSON 404, then the HMI. */
async function serve(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ statusCode: 404, code: 'AURIGA_ERR_API_NOT_FOUND', error: 'Not Found', message: `no route ${req.method} ${req.url}` });
  });
  app.get('/v1/signals', async () => []);
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.register(hmiStaticPlugin({ root }));
  await app.ready();
  return app;
}

describe('hmiStaticPlugin', () => {
  it('serves index.html with no-cache and a content security policy', async () => {
    const app = await serve(distDir());
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.body).toContain('<title>Auriga</title>');
    // Revalidation is cheap: the ETag comes back as 304.
    const again = await app.inject({ url: '/', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('serves hashed assets as immutable for a year, with the right type', async () => {
    const app = await serve(distDir());
    const js = await app.inject({ url: '/assets/index-AbC123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.body).toBe('console.log("hmi")');
    const css = await app.inject({ url: '/assets/index-Def456.css' });
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const other = await app.inject({ url: '/robots.txt' });
    expect(other.statusCode).toBe(200);
    expect(other.headers['cache-control']).toBe('no-cache');
  });

  it('answers client-side routes with the page (SPA fallback), but missing files with a 404', async () => {
    const app = await serve(distDir());
    for (const url of ['/vehicle', '/drive/trip?x=1', '/updates/']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<title>Auriga</title>');
    }
    for (const url of ['/assets/index-Old999.js', '/favicon.ico', '/assets/sub/x']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['cache-control']).toBeUndefined();
    }
  });

  it('leaves API paths to the API: its routes work and unknown ones keep the JSON 404', async () => {
    const app = await serve(distDir());
    expect((await app.inject({ url: '/v1/signals' })).json()).toEqual([]);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    for (const url of ['/v1/text', '/v1/trips/current/summary', '/metrics', '/docs/x']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'AURIGA_ERR_API_NOT_FOUND' });
    }
    // Other methods are not the HMI's business either.
    expect((await app.inject({ method: 'POST', url: '/vehicle' })).statusCode).toBe(404);
  });

  it('never serves files outside the build or hidden files', async () => {
    const root = distDir();
    writeFileSync(join(root, '..', `${root.split('/').pop()}-secret.txt`), 'outside');
    dirs.push(join(root, '..', `${root.split('/').pop()}-secret.txt`));
    const app = await serve(root);
    for (const url of ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', `/..%2f${root.split('/').pop()}-secret.txt`, '/.env', '/assets/%00.js', '/%E0%A4%A']) {
      const res = await app.inject({ url });
      expect(res.body, url).not.toContain('outside');
      expect(res.body, url).not.toContain('SECRET');
      expect(res.body, url).not.toContain('root:');
    }
  });

  it('answers 503 with build instructions while hmi-web/dist is missing, and serves the build once it appears', async () => {
    const root = distDir(false);
    const app = await serve(root);
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('npm run build -w hmi-web');
    expect((await app.inject({ url: '/vehicle' })).statusCode).toBe(503);
    // The API still works.
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    writeFileSync(join(root, 'index.html'), '<title>Auriga</title>');
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
  });
});
