// Workers booted ahead (src/booted-workers.ts), with a stand-in Worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BootedWorkers } from '../lib/booted-workers.js';
import { SILENT_WORKER_MS as SILENT_BOOT_MS } from '../lib/worker-first-word.js';

const created = [];
globalThis.Worker = class FakeWorker extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.terminated = false;
    created.push(this);
  }
  postMessage() {}
  terminate() {
    this.terminated = true;
  }
};
const URL = 'http://site/tour-comlink.worker.js';
const speak = (worker) =>
  worker.dispatchEvent(
    Object.assign(new Event('message'), {
      data: { _tourBootSteps: [['worker script running', 1]] },
    }),
  );

function booted(t) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  created.length = 0;
  return new BootedWorkers(URL, {}, true);
}

test('a worker booted ahead that never speaks gives way to a new one, at most twice', (t) => {
  const workers = booted(t);
  t.mock.timers.tick(SILENT_BOOT_MS);
  assert.equal(created.length, 2);
  assert.equal(created[0].terminated, true);
  t.mock.timers.tick(SILENT_BOOT_MS);
  t.mock.timers.tick(SILENT_BOOT_MS);
  assert.equal(created.length, 3, 'two replacements, no more');
  assert.equal(workers.take(URL), created[2]);
});

test('a worker booted ahead that speaks is kept', (t) => {
  const workers = booted(t);
  speak(created[0]);
  t.mock.timers.tick(10 * SILENT_BOOT_MS);
  assert.equal(created.length, 1);
  assert.equal(workers.take(URL), created[0]);
  assert.equal(workers.take(URL), null, 'taken once');
});

test('a worker taken before it spoke is left to its kernel', (t) => {
  const workers = booted(t);
  const taken = workers.take(URL);
  t.mock.timers.tick(SILENT_BOOT_MS);
  assert.equal(created.length, 1);
  assert.equal(taken.terminated, false);
});
