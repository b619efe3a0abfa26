// Which version of a lesson the learner sees (src/versions.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { copyName, noticeFor, noticeText, sameCells, versionOf } from '../lib/versions.js';

const OLD = { sha256: 'a'.repeat(64), date: '2026-11-01' };
const NEW = { sha256: 'b'.repeat(64), date: '2026-12-06' };

test('a copy saved from an older lesson gets the notice', () => {
  assert.equal(noticeFor(OLD, NEW, null), 'newer');
});

test('a copy saved from the lesson the site ships gets none', () => {
  assert.equal(noticeFor(NEW, NEW, null), 'none');
});

test('"Keep my copy" holds until the next site update', () => {
  assert.equal(noticeFor(OLD, NEW, NEW.sha256), 'none');
  const NEXT = { sha256: 'c'.repeat(64), date: '2027-01-10' };
  assert.equal(noticeFor(OLD, NEXT, NEW.sha256), 'newer');
});

test('a copy saved before the site stamped versions gets the notice', () => {
  assert.equal(noticeFor(null, NEW, null), 'newer');
});

test('a notebook the site does not stamp (or ship) gets none', () => {
  assert.equal(noticeFor(OLD, null, null), 'none');
});

test('a stamp is read only when it is well formed', () => {
  assert.deepEqual(versionOf({ lesson_version: NEW }), NEW);
  assert.equal(versionOf({ lesson_version: { sha256: 'not a hash' } }), null);
  assert.equal(versionOf({}), null);
  assert.equal(versionOf(null), null);
  assert.deepEqual(versionOf({ lesson_version: { sha256: NEW.sha256 } }), {
    sha256: NEW.sha256,
    date: '',
  });
});

test("the learner's copy gets a free name next to the notebook", () => {
  const none = () => false;
  assert.equal(
    copyName('03-stdlib-and-packages.ipynb', none),
    '03-stdlib-and-packages (my copy).ipynb',
  );
  assert.equal(copyName('lessons/a.b.ipynb', none), 'lessons/a.b (my copy).ipynb');
  const taken = new Set(['x (my copy).ipynb', 'x (my copy 2).ipynb']);
  assert.equal(
    copyName('x.ipynb', (c) => taken.has(c)),
    'x (my copy 3).ipynb',
  );
  assert.equal(copyName('dir.v2/notes', none), 'dir.v2/notes (my copy)');
});

test('cells compare by kind and text, whether stored as lines or as one string', () => {
  const lines = { cells: [{ cell_type: 'code', source: ['a = 1\n', 'print(a)'], outputs: [] }] };
  const joined = { cells: [{ cell_type: 'code', source: 'a = 1\nprint(a)', id: 'x' }] };
  assert.ok(sameCells(lines, joined));
  const edited = { cells: [{ cell_type: 'code', source: 'a = 2\nprint(a)' }] };
  assert.ok(!sameCells(lines, edited));
  assert.ok(!sameCells(lines, { cells: [...lines.cells, { cell_type: 'markdown', source: '' }] }));
});

test('the notice says the site is newer, and from when', () => {
  assert.match(noticeText(NEW), /newer version of this lesson \(from 2026-12-06\)/);
  assert.doesNotMatch(noticeText({ sha256: NEW.sha256, date: '' }), /\(from/);
});
