// When a restored tab's kernel starts (src/start-rule.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startDecision } from '../lib/start-rule.js';

test('a kernel shown in a visible tab starts', () => {
  const documents = [
    { kernelId: 'a', isVisible: false },
    { kernelId: 'b', isVisible: true },
  ];
  assert.equal(startDecision('b', documents), 'start');
});

test('a kernel shown only in hidden tabs waits', () => {
  const documents = [
    { kernelId: 'a', isVisible: false },
    { kernelId: 'b', isVisible: true },
  ];
  assert.equal(startDecision('a', documents), 'wait');
});

test('a kernel in two tabs starts when either is visible', () => {
  const documents = [
    { kernelId: 'a', isVisible: false },
    { kernelId: 'a', isVisible: true },
  ];
  assert.equal(startDecision('a', documents), 'start');
});

test('a kernel no tab has yet is not decided', () => {
  assert.equal(startDecision('c', [{ kernelId: undefined, isVisible: true }]), 'unknown');
});
