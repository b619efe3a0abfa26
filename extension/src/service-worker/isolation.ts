/**
 * Which responses of the site's service worker carry the headers that make a page
 * cross-origin isolated, the headers themselves, and when the page reloads to get them: the
 * parts of tour-service-worker.ts and ../isolation.ts that need no browser, unit-tested in
 * Node (test/isolation.test.mjs).
 */

/**
 * COOP `same-origin` and COEP `require-corp`: what `crossOriginIsolated` needs. Not COEP
 * `credentialless`, which WebKit does not support.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Whether a response gets the isolation headers: the site's own, and only those the service
 * worker can rebuild. An opaque response (status 0: a cross-origin `no-cors` answer, or a
 * redirect of a navigation) passes as it came; another origin's response is that origin's.
 */
export function isolates(requestUrl: string, siteOrigin: string, status: number): boolean {
  return status !== 0 && new URL(requestUrl).origin === siteOrigin;
}

/** The same response with the isolation headers added. */
export function withIsolationHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) {
    headers.set(name, value);
  }
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** What the page does about isolation: nothing (isolated, or it cannot be), or reload. */
export type IsolationStep = 'isolated' | 'no service worker' | 'reloaded once already' | 'reload';

/** One reload per tab: a page still not isolated after it stays as it is (no loop). */
export function isolationStep(
  isolated: boolean,
  hasServiceWorkers: boolean,
  reloadedBefore: boolean,
): IsolationStep {
  if (isolated) {
    return 'isolated';
  }
  if (!hasServiceWorkers) {
    return 'no service worker';
  }
  return reloadedBefore ? 'reloaded once already' : 'reload';
}
