// The worker's boot steps for its requests (src/worker/boot-steps.ts), on Node's fetch types.
import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';

import { SLOW_BODY_MS, bootEnded, watchBootFetches } from '../lib/worker/boot-steps.js';

const WASM = 'http://127.0.0.1:8000/static/pyodide/pyodide.asm.wasm.gz';
const MB = 1_000_000;

// A worker's globals: the steps it posts, and a host whose answers the tests write byte by byte.
let body; // the controller of the body of the next answer
globalThis.self = globalThis;
const posted = [];
globalThis.postMessage = (message) => posted.push(message);
globalThis.fetch = async () => new Response(new ReadableStream({ start: (c) => (body = c) }));
watchBootFetches();
after(bootEnded);

beforeEach((t) => t.mock.timers.enable({ apis: ['setTimeout'] }));

const steps = () => (posted.at(-1)?._tourBootSteps ?? []).map(([name]) => name);
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a body that stops half-way is a step, with how much came; its arrival is another', async (t) => {
  const response = await fetch(WASM);
  body.enqueue(new Uint8Array(1.5 * MB));
  await settle();
  t.mock.timers.tick(SLOW_BODY_MS);
  assert.equal(steps().at(-1), 'pyodide.asm.wasm.gz still arriving after 20 s (1.5 MB so far)');

  body.enqueue(new Uint8Array(0.5 * MB));
  body.close();
  assert.equal((await response.arrayBuffer()).byteLength, 2 * MB, 'the caller gets every byte');
  await settle();
  assert.match(steps().at(-1), /^pyodide\.asm\.wasm\.gz arrived after [\d.]+ s \(2\.0 MB\)$/);
});

test('a body that arrives in time makes no step', async (t) => {
  const before = steps().length;
  const response = await fetch(WASM);
  body.enqueue(new Uint8Array(MB));
  body.close();
  await response.arrayBuffer();
  await settle();
  t.mock.timers.tick(SLOW_BODY_MS);
  assert.equal(steps().length, before);
});
