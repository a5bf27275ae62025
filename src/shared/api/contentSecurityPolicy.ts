/**
 * The one Content-Security-Policy for the renderer, sent by the Electron session and by the
 * loopback host: nothing remote, no inline script, media only from our own origin or scheme.
 */
export function contentSecurityPolicy(extraMediaSources: readonly string[] = []): string {
  // The frame cache fetches byte ranges of the same media with fetch(), so connect-src follows.
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    ['media-src', "'self'", ...extraMediaSources, 'blob:'].join(' '),
    ['connect-src', "'self'", ...extraMediaSources].join(' '),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
