// A worker created only when launched (src/deferred-worker.ts), with a stand-in Worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DeferredWorker } from '../lib/deferred-worker.js';

class FakeWorker extends EventTarget {
  posted = [];
  terminated = false;
  postMessage(message, transfer) {
    this.posted.push([message, transfer]);
  }
  terminate() {
    this.terminated = true;
  }
}

test('nothing is created before launch; messages and listeners wait, in order', () => {
  let created = null;
  const deferred = new DeferredWorker(() => (created = new FakeWorker()));
  const seen = [];
  deferred.addEventListener('message', (event) => seen.push(event.data));
  deferred.postMessage('initialize');
  deferred.postMessage('execute');
  assert.equal(created, null);
  assert.equal(deferred.started, false);

  deferred.launch();
  assert.deepEqual(
    created.posted.map(([message]) => message),
    ['initialize', 'execute'],
  );
  created.dispatchEvent(Object.assign(new Event('message'), { data: 'reply' }));
  assert.deepEqual(seen, ['reply']);
  deferred.postMessage('complete');
  assert.equal(created.posted.at(-1)[0], 'complete');
});

test('it has no start(): comlink would call it on wrap', () => {
  assert.equal('start' in new DeferredWorker(() => new FakeWorker()), false);
});

test('terminated before launch, it is never created', () => {
  let calls = 0;
  const deferred = new DeferredWorker(() => ((calls += 1), new FakeWorker()));
  deferred.postMessage('initialize');
  deferred.terminate();
  deferred.launch();
  assert.equal(calls, 0);
});

test('a removed listener is not handed on', () => {
  let created = null;
  const deferred = new DeferredWorker(() => (created = new FakeWorker()));
  const seen = [];
  const listener = () => seen.push('heard');
  deferred.addEventListener('message', listener);
  deferred.removeEventListener('message', listener);
  deferred.launch();
  created.dispatchEvent(new Event('message'));
  assert.deepEqual(seen, []);
});
