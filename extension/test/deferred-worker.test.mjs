// A worker created only when launched (src/deferred-worker.ts), with a stand-in Worker.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

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

// No replacement unless a test asks for one.
const NEVER = {
  silentDeadline: () => null,
  stalledMs: 1e9,
  replacement: () => assert.fail('replaced'),
  onReplaced() {},
  onGaveUp() {},
};
// Every test runs on mocked timers: a watch left armed must not keep Node running.
beforeEach((t) => t.mock.timers.enable({ apis: ['setTimeout'] }));

const message = (data) => Object.assign(new Event('message'), { data });

test('nothing is created before launch; messages and listeners wait, in order', () => {
  let created = null;
  const deferred = new DeferredWorker(() => (created = new FakeWorker()), NEVER);
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
  created.dispatchEvent(message('reply'));
  assert.deepEqual(seen, ['reply']);
  deferred.postMessage('complete');
  assert.equal(created.posted.at(-1)[0], 'complete');
});

test('it has no start(): comlink would call it on wrap', () => {
  assert.equal('start' in new DeferredWorker(() => new FakeWorker(), NEVER), false);
});

test('terminated before launch, it is never created', () => {
  let calls = 0;
  const deferred = new DeferredWorker(() => ((calls += 1), new FakeWorker()), NEVER);
  deferred.postMessage('initialize');
  deferred.terminate();
  deferred.launch();
  assert.equal(calls, 0);
});

test('a removed listener is not handed on', () => {
  let created = null;
  const deferred = new DeferredWorker(() => (created = new FakeWorker()), NEVER);
  const seen = [];
  const listener = () => seen.push('heard');
  deferred.addEventListener('message', listener);
  deferred.removeEventListener('message', listener);
  deferred.launch();
  created.dispatchEvent(new Event('message'));
  assert.deepEqual(seen, []);
});

/** A deferred worker whose workers count as never run if silent 100 ms (of mocked time) after
 * launch, and as stalled after 1000 ms without a message; `spoken` lists the workers that had
 * spoken before. */
function watched(spoken = []) {
  const workers = [];
  const replaced = [];
  const gaveUp = [];
  const deferred = new DeferredWorker(() => workers[workers.push(new FakeWorker()) - 1], {
    silentDeadline: (worker) => (spoken.includes(workers.indexOf(worker)) ? null : 100),
    stalledMs: 1000,
    replacement: () => workers[workers.push(new FakeWorker()) - 1],
    onReplaced: (why) => replaced.push([workers.length, why]),
    onGaveUp: (why) => gaveUp.push(why),
  });
  return { deferred, workers, replaced, gaveUp };
}

test('a worker silent after its launch is replaced once, with the listeners and every message', (t) => {
  const { deferred, workers, replaced } = watched();
  const seen = [];
  deferred.addEventListener('message', (event) => seen.push(event.data));
  deferred.postMessage('initialize');
  deferred.launch();
  deferred.postMessage('execute');
  t.mock.timers.tick(99);
  assert.equal(workers.length, 1);
  t.mock.timers.tick(1);
  assert.deepEqual(replaced, [[1, 'silent']]);
  assert.equal(workers[0].terminated, true);
  assert.deepEqual(
    workers[1].posted.map(([data]) => data),
    ['initialize', 'execute'],
  );
  workers[1].dispatchEvent(message('booting'));
  assert.deepEqual(seen, ['booting']);
  t.mock.timers.tick(5000);
  assert.equal(workers.length, 2, 'a second faulty worker is not replaced');
});

test('a worker that speaks in time, and keeps speaking until booted, is kept', (t) => {
  const { deferred, workers, replaced, gaveUp } = watched();
  deferred.postMessage('initialize');
  deferred.launch();
  for (let step = 0; step < 5; step += 1) {
    t.mock.timers.tick(99);
    workers[0].dispatchEvent(message(`step ${step}`));
    t.mock.timers.tick(900);
  }
  deferred.booted();
  t.mock.timers.tick(60_000);
  assert.deepEqual(replaced, []);
  assert.deepEqual(gaveUp, []);
  assert.equal(workers[0].terminated, false);
});

test('a worker that goes quiet mid-boot is replaced once, with every message; then given up', (t) => {
  const { deferred, workers, replaced, gaveUp } = watched();
  const seen = [];
  deferred.addEventListener('message', (event) => seen.push(event.data));
  deferred.postMessage('initialize');
  deferred.launch();
  workers[0].dispatchEvent(message('worker script running'));
  t.mock.timers.tick(999);
  assert.equal(workers.length, 1);
  t.mock.timers.tick(1);
  assert.deepEqual(replaced, [[1, 'stalled']]);
  assert.equal(workers[0].terminated, true);
  assert.deepEqual(
    workers[1].posted.map(([data]) => data),
    ['initialize'],
  );
  workers[1].dispatchEvent(message('worker script running'));
  assert.deepEqual(seen, ['worker script running', 'worker script running']);
  t.mock.timers.tick(1000);
  assert.deepEqual(gaveUp, ['stalled']);
  assert.equal(workers.length, 2);
  assert.equal(workers[1].terminated, false, 'the last worker is kept: it may yet answer');
});

test('a silent worker given a transferred object is not replaced: it could not be sent twice', (t) => {
  const { deferred, workers, replaced, gaveUp } = watched();
  deferred.postMessage('port', [new MessageChannel().port1]);
  deferred.launch();
  t.mock.timers.tick(1000);
  assert.deepEqual(replaced, []);
  assert.deepEqual(gaveUp, ['silent']);
  assert.equal(workers.length, 1);
});

test('a terminated worker is not replaced', (t) => {
  const { deferred, workers } = watched();
  deferred.launch();
  deferred.terminate();
  t.mock.timers.tick(1000);
  assert.equal(workers.length, 1);
});

test('a worker that spoke before its launch (booted ahead) is not silent, but may stall', (t) => {
  const { deferred, workers, replaced } = watched([0]);
  deferred.postMessage('initialize');
  deferred.launch();
  t.mock.timers.tick(999);
  assert.deepEqual(replaced, []);
  assert.deepEqual(
    workers[0].posted.map(([data]) => data),
    ['initialize'],
  );
  t.mock.timers.tick(1);
  assert.deepEqual(replaced, [[1, 'stalled']]);
});

test('messages posted once booted are not kept for a replacement', (t) => {
  const { deferred, workers } = watched();
  deferred.postMessage('initialize');
  deferred.launch();
  deferred.booted();
  deferred.postMessage('port', [new MessageChannel().port1]);
  deferred.postMessage('execute');
  t.mock.timers.tick(60_000);
  assert.equal(workers.length, 1);
  assert.equal(workers[0].posted.length, 3);
});
