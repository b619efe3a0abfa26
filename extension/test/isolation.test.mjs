// Which responses the site's service worker isolates, and when the page reloads for it
// (src/service-worker/isolation.ts, src/isolation.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ISOLATION_HEADERS,
  isolates,
  isolationStep,
  withIsolationHeaders,
} from '../lib/service-worker/isolation.js';

const SITE = 'http://127.0.0.1:8000';

test("the site's own answers are isolated, wherever the site sits", () => {
  assert.equal(isolates(`${SITE}/lab/index.html`, SITE, 200), true);
  assert.equal(isolates(`${SITE}/REPO/lab/index.html`, SITE, 200), true);
  assert.equal(isolates(`${SITE}/REPO/files/data/penguins.csv`, SITE, 404), true);
});

test("another origin's answer and opaque answers pass as they came", () => {
  assert.equal(isolates('http://localhost:8000/files/x.csv', SITE, 200), false);
  assert.equal(isolates(`${SITE}/lab`, SITE, 0), false); // a navigation's redirect
});

test('the headers that make a page cross-origin isolated, in every engine', () => {
  assert.deepEqual(ISOLATION_HEADERS, {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp', // WebKit has no `credentialless`
  });
});

test('an isolated answer keeps its status, its headers and its body', async () => {
  const original = new Response('<html>', {
    status: 404,
    statusText: 'File not found',
    headers: { 'Content-Type': 'text/html' },
  });
  const answer = withIsolationHeaders(original);
  assert.equal(answer.status, 404);
  assert.equal(answer.statusText, 'File not found');
  assert.equal(answer.headers.get('content-type'), 'text/html');
  assert.equal(answer.headers.get('cross-origin-embedder-policy'), 'require-corp');
  assert.equal(answer.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(await answer.text(), '<html>');
});

test('the page reloads once for isolation, never twice, never without a service worker', () => {
  assert.equal(isolationStep(false, true, false), 'reload');
  assert.equal(isolationStep(false, true, true), 'reloaded once already');
  assert.equal(isolationStep(false, false, false), 'no service worker');
  assert.equal(isolationStep(true, true, false), 'isolated');
  assert.equal(isolationStep(true, true, true), 'isolated');
});
