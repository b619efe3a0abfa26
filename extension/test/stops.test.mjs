// What the learner reads when Python stops (src/worker/stops.ts), for each kind of stop.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  STOPPED_ANSWERS,
  stopCause,
  stoppedCellError,
  stoppedNotice,
} from '../lib/worker/stops.js';

test('an exit of the process names its status', () => {
  const cause = stopCause({ name: 'Exit', status: 143, message: 'Program terminated' });
  assert.match(cause, /^the Python process exited with status 143\. /);
});

test('a WebAssembly trap is called one', () => {
  const cause = stopCause({ name: 'RuntimeError', message: 'memory access out of bounds\nat ...' });
  assert.equal(
    cause,
    'the Pyodide runtime suffered a fatal error (RuntimeError: memory access out of bounds).' +
      ' This is a WebAssembly trap: C code crashed or called abort().',
  );
});

test('a stack overflow is named in the words of every engine', () => {
  for (const message of ['Maximum call stack size exceeded', 'too much recursion']) {
    assert.match(stopCause({ name: 'RangeError', message }), /The WebAssembly stack ran out/);
  }
});

test('the cell error says what is lost and that the kernel restarts', () => {
  const error = stoppedCellError('the Python process exited with status 0.');
  assert.equal(error.ename, 'PythonStopped');
  assert.equal(error.evalue, 'Python has stopped: the Python process exited with status 0.');
  assert.match(error.traceback.join('\n'), /variables, imports, files written under \/tmp/);
  assert.match(error.traceback.join('\n'), /The kernel restarts by itself/);
});

test('the notice keeps the first sentence of the cause', () => {
  assert.equal(
    stoppedNotice(stopCause({ name: 'Exit', status: 1 })),
    'Python has stopped: the Python process exited with status 1. The kernel restarts by itself.',
  );
});

test('a completion after the stop is empty and touches nothing', () => {
  assert.deepEqual(STOPPED_ANSWERS.complete({ cursor_pos: 4 }), {
    status: 'ok',
    matches: [],
    cursor_start: 4,
    cursor_end: 4,
    metadata: {},
  });
});
