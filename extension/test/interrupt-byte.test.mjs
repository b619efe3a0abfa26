// The interrupt byte Pyodide reads (src/worker/interrupt-byte.ts), written by one thread while
// another checks it in a busy loop, as the page and a running cell do.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { takenAtomically } from '../lib/worker/interrupt-byte.js';

const SIGINT = 2;
const MODULE = new URL('../lib/worker/interrupt-byte.js', import.meta.url).href;
// A thread that checks for signals as CPython's emscripten_signal.c does, in a busy loop: read
// the byte, write 0, count what it read; through takenAtomically, or on the bare byte.
const READER = `
const { workerData } = require('node:worker_threads');
import(workerData.module).then(({ takenAtomically }) => {
  const { byte, counts, atomic } = workerData;
  const raw = new Uint8Array(byte);
  const seen = new Int32Array(counts); // [signals read, stop]
  const buffer = atomic ? takenAtomically(raw) : raw;
  while (Atomics.load(seen, 1) === 0) {
    const signal = buffer[0];
    buffer[0] = 0;
    if (signal !== 0) {
      Atomics.add(seen, 0, 1);
    }
  }
});`;
const INTERRUPTS = 50_000;

/** Writes SIGINT INTERRUPTS times, each once the last one was taken; what the reader counted. */
async function interruptsRead(atomic) {
  const byte = new SharedArrayBuffer(1);
  const counts = new SharedArrayBuffer(8);
  const raw = new Uint8Array(byte);
  const seen = new Int32Array(counts);
  const reader = new Worker(READER, {
    eval: true,
    workerData: { byte, counts, atomic, module: MODULE },
  });
  await once(reader, 'online');
  for (let i = 0; i < INTERRUPTS; i++) {
    Atomics.store(raw, 0, SIGINT);
    while (Atomics.load(raw, 0) !== 0) {
      // the reader takes it (or, on the bare byte, may write 0 over it)
    }
  }
  Atomics.store(seen, 1, 1);
  await once(reader, 'exit');
  return Atomics.load(seen, 0);
}

test('reading takes the byte and clears it; the 0 written after changes nothing', () => {
  const raw = new Uint8Array(new SharedArrayBuffer(1));
  const buffer = takenAtomically(raw);
  raw[0] = SIGINT;
  assert.equal(buffer[0], SIGINT);
  assert.equal(raw[0], 0);
  raw[0] = SIGINT; // the page writes between the read and the write of 0
  buffer[0] = 0;
  assert.equal(raw[0], SIGINT);
  buffer[0] = SIGINT; // Python writes the byte itself (notebook 6)
  assert.equal(buffer[0], SIGINT);
});

test('no Interrupt is lost while the reader checks in a busy loop', async () => {
  assert.equal(await interruptsRead(true), INTERRUPTS);
});
