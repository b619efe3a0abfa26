// Which URLs the worker asks for gzipped (src/worker/gzip-fetch.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { contentType, gzippedUrl } from '../lib/worker/gzip-fetch.js';

const GZIPPED = new Set(['pyodide.asm.wasm']);

test('a named file is asked for as NAME.gz, query kept', () => {
  const url = new URL('http://127.0.0.1:8000/REPO/static/pyodide/pyodide.asm.wasm?v=1');
  assert.equal(
    gzippedUrl(url, GZIPPED).href,
    'http://127.0.0.1:8000/REPO/static/pyodide/pyodide.asm.wasm.gz?v=1',
  );
});

test('other files are fetched as they are', () => {
  for (const name of ['pyodide.asm.mjs', 'numpy-2.4.3.whl', 'pyodide.asm.wasm.map']) {
    assert.equal(gzippedUrl(new URL(`http://127.0.0.1/static/pyodide/${name}`), GZIPPED), null);
  }
});

test('the unpacked file keeps the type WebAssembly streaming needs', () => {
  assert.equal(contentType('pyodide.asm.wasm'), 'application/wasm');
  assert.equal(contentType('python_stdlib.zip'), 'application/zip');
  assert.equal(contentType('README'), 'application/octet-stream');
});
