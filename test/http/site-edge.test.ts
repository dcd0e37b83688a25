/** What the CDN serves and how the API knows a request came through it (in process). */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app';
import { SECURITY_HEADERS, viewerAddress } from '../../functions/http/middleware';
import { ASSET_CACHE_CONTROL, staticSiteFiles } from '../../functions/http/static-site';
import { testApp } from '../support/app';
import { memoryDeps } from '../support/memory/deps';

describe('the static site', () => {
  const m = memoryDeps();
  const files = staticSiteFiles(m.deps);

  it('fingerprints every asset and references only assets that exist', () => {
    const assets = files.filter((file) => file.path.startsWith('/assets/'));
    expect(assets.map((file) => file.path).sort()).toEqual([
      expect.stringMatching(/^\/assets\/browser-zone\.[0-9a-f]{10}\.js$/),
      expect.stringMatching(/^\/assets\/console\.[0-9a-f]{10}\.css$/),
      expect.stringMatching(/^\/assets\/manage\.[0-9a-f]{10}\.js$/),
      expect.stringMatching(/^\/assets\/signup\.[0-9a-f]{10}\.js$/),
      expect.stringMatching(/^\/assets\/site\.[0-9a-f]{10}\.css$/),
    ]);
    for (const asset of assets) expect(asset.cacheControl).toBe(ASSET_CACHE_CONTROL);
    const referenced = files
      .filter((file) => file.contentType.startsWith('text/html'))
      .flatMap((file) =>
        [...file.body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((match) => match[1]),
      );
    expect(referenced.length).toBeGreaterThanOrEqual(2);
    for (const path of referenced) expect(assets.map((asset) => asset.path)).toContain(path);
  });

  it('serves locally each file the CDN serves, byte for byte, with its caching and security headers', async () => {
    const app = testApp(m.deps);
    for (const file of files) {
      const response = await app.request(file.path);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(file.body);
      expect(response.headers.get('content-type')).toBe(file.contentType);
      expect(response.headers.get('cache-control')).toBe(file.cacheControl);
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(response.headers.get(name)).toBe(value);
    }
  });

  it('answers an asset name that is not the current build’s with the not-found page', async () => {
    const app = testApp(m.deps);
    for (const path of ['/assets/site.css', '/assets/signup.js', '/assets/site.0000000000.css']) {
      expect((await app.request(path)).status).toBe(404);
    }
  });
});

describe('requests that bypass CloudFront', () => {
  const m = memoryDeps();
  const app = createApp(m.deps, {
    signupFloorMs: 0,
    originSecret: 'a-secret-only-cloudfront-knows',
    clientAddress: () => undefined,
  });

  it.each([
    ['no origin header', {}],
    ['an empty one', { 'x-origin-verify': '' }],
    ['a wrong one', { 'x-origin-verify': 'a-secret-only-cloudfront-know' }],
    ['a longer one', { 'x-origin-verify': 'a-secret-only-cloudfront-knows!' }],
  ])('are refused with 403 direct_access when they carry %s', async (_label, headers) => {
    for (const path of ['/', '/health', '/confirm?token=x', '/api/subscribe']) {
      const response = await app.request(path, { headers });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'direct_access' });
      expect(response.headers.get('content-security-policy')).toBe(
        SECURITY_HEADERS['Content-Security-Policy'],
      );
    }
  });

  it('are served when they carry the secret', async () => {
    const response = await app.request('/health', {
      headers: { 'x-origin-verify': 'a-secret-only-cloudfront-knows' },
    });
    expect(response.status).toBe(200);
  });

  it('reads the viewer’s address from CloudFront’s header, IPv4 and IPv6', () => {
    expect(viewerAddress('203.0.113.7:46532')).toBe('203.0.113.7');
    expect(viewerAddress('2001:db8::1:46532')).toBe('2001:db8::1');
    expect(viewerAddress(undefined)).toBeUndefined();
    expect(viewerAddress('nonsense')).toBeUndefined();
  });
});
