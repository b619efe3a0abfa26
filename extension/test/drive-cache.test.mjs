// /drive's write-back overlay (src/worker/drive-cache.ts) against upstream's one-request-per-call
// behaviour: random file operations applied both ways must show the same files at every step,
// and the storage must hold the same files after each flush. The storage is a stand-in that
// answers upstream's drive requests as JupyterLite's contents manager would (no browser here).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { build } from 'esbuild';

// Bundled as the worker is (scripts/build-workers.mjs): upstream's modules import without
// file extensions, which Node's own ES module loader refuses.
const scratch = mkdtempSync(join(tmpdir(), 'drive-cache-'));
await build({
  entryPoints: [new URL('../src/worker/drive-cache.ts', import.meta.url).pathname],
  outfile: join(scratch, 'drive-cache.mjs'),
  bundle: true,
  format: 'esm',
  logLevel: 'warning',
});
const { CachedContentsAPI } = await import(pathToFileURL(join(scratch, 'drive-cache.mjs')).href);
rmSync(scratch, { recursive: true });

const DIR = 16895;
const FILE = 33206;

class ErrnoError extends Error {
  constructor(errno) {
    super(`errno ${errno}`);
    this.errno = errno;
  }
}

/** Files by path ('' is the root), as the contents manager keeps them. */
class Storage {
  items = new Map([['', { dir: true }]]);
  requests = 0;

  children(path) {
    const prefix = path ? `${path}/` : '';
    return [...this.items.keys()].filter(
      (key) => key !== path && key.startsWith(prefix) && !key.slice(prefix.length).includes('/'),
    );
  }

  answer({ method, path, data }) {
    this.requests++;
    path = path.replace(/^\/+/, '');
    const item = this.items.get(path);
    switch (method) {
      case 'lookup':
        return item ? { ok: true, mode: item.dir ? DIR : FILE } : { ok: false };
      case 'readdir':
        return this.children(path).map((key) => key.split('/').pop());
      case 'getattr':
        return { size: item.dir ? 0 : atob(item.content).length, mtime: null };
      case 'get':
        return item && !item.dir ? { content: item.content, format: 'base64' } : null;
      case 'put':
        this.items.set(path, { content: data.data });
        return null;
      case 'mknod':
        this.items.set(path, data.mode === DIR ? { dir: true } : { content: '' });
        return null;
      case 'rename': {
        const to = data.newPath.replace(/^\/+/, '');
        for (const [key, value] of [...this.items]) {
          if (key === path || key.startsWith(`${path}/`)) {
            this.items.delete(key);
            this.items.set(to + key.slice(path.length), value);
          }
        }
        return null;
      }
      case 'rmdir':
        for (const key of [...this.items.keys()]) {
          if (key === path || key.startsWith(`${path}/`)) {
            this.items.delete(key);
          }
        }
        return null;
    }
    throw new Error(method);
  }

  snapshot() {
    return [...this.items].sort(([a], [b]) => (a < b ? -1 : 1));
  }
}

const OPTIONS = {
  driveName: '',
  mountpoint: '/drive',
  FS: { ErrnoError },
  ERRNO_CODES: { ENOENT: 44, EINVAL: 28 },
  baseUrl: '/',
  browsingContextId: 'test',
};

/** The overlay over `storage`, its round trips answered by the stand-in. */
function overlay(storage) {
  const api = new CachedContentsAPI(OPTIONS, () => undefined);
  api.request = (request) => storage.answer(request);
  return api;
}

/** Upstream's API: every call is a request to `storage`. */
function direct(storage) {
  const api = new CachedContentsAPI(OPTIONS, () => undefined);
  for (const name of [
    'lookup',
    'getmode',
    'mknod',
    'rename',
    'readdir',
    'rmdir',
    'get',
    'put',
    'getattr',
  ]) {
    api[name] = Object.getPrototypeOf(CachedContentsAPI.prototype)[name];
  }
  api.request = (request) => storage.answer(request);
  return api;
}

/** What Python would see under /drive through `api`. */
function view(api, path = '/drive') {
  const seen = {};
  for (const name of api
    .readdir(path)
    .filter((n) => n !== '.' && n !== '..')
    .sort()) {
    const child = `${path}/${name}`;
    const found = api.lookup(child);
    assert.ok(found.ok, `${child} is listed but not found`);
    if (found.mode === DIR) {
      seen[name] = view(api, child);
    } else {
      seen[name] = new TextDecoder().decode(api.get(child).data);
      assert.equal(api.getattr(child).size, api.get(child).data.length);
    }
  }
  return seen;
}

function flush(api, storage) {
  const { requests } = api.takeChanges();
  for (const request of requests) {
    storage.answer(request);
  }
  api.settled();
}

/** A small deterministic random source. */
function random(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

function paths(snapshotView, prefix = '/drive') {
  const out = [];
  for (const [name, value] of Object.entries(snapshotView)) {
    const path = `${prefix}/${name}`;
    out.push([path, typeof value === 'object']);
    if (typeof value === 'object') {
      out.push(...paths(value, path));
    }
  }
  return out;
}

test('random changes: the overlay shows what upstream shows, and the storage ends the same', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const next = random(seed);
    const pick = (list) => list[Math.floor(next() * list.length)];
    const mine = new Storage();
    const theirs = new Storage();
    for (const storage of [mine, theirs]) {
      storage.answer({ method: 'mknod', path: 'data', data: { mode: DIR } });
      storage.answer({
        method: 'put',
        path: 'data/a.txt',
        data: { data: btoa('a'), format: 'base64' },
      });
    }
    const cached = overlay(mine);
    const upstream = direct(theirs);
    const steps = [];
    let inFlight = null;
    for (let step = 0; step < 60; step++) {
      const known = paths(view(upstream));
      const dirs = ['/drive', ...known.filter(([, d]) => d).map(([p]) => p)];
      const name = `n${Math.floor(next() * 6)}`;
      const kind = next();
      let op;
      if (kind < 0.35) {
        const dir = pick(dirs);
        const target = `${dir}/${name}.txt`;
        if (!known.some(([p, d]) => p === target && d)) {
          op = ['put', target, `${seed}-${step}`];
        }
      } else if (kind < 0.5) {
        const target = `${pick(dirs)}/${name}`;
        if (!known.some(([p]) => p === target)) {
          op = ['mkdir', target];
        }
      } else if (kind < 0.7 && known.length) {
        const [from, isDir] = pick(known);
        const to = `${pick(dirs)}/${name}${isDir ? '' : '.txt'}`;
        if (!known.some(([p]) => p === to) && to !== from && !to.startsWith(`${from}/`)) {
          op = ['rename', from, to];
        }
      } else if (kind < 0.85 && known.length) {
        op = ['delete', pick(known)[0]];
      } else if (kind < 0.92 || inFlight) {
        op = ['flush'];
      } else {
        op = ['take']; // a flush sent, its answer still to come while Python goes on
      }
      if (!op) {
        continue;
      }
      steps.push(op.join(' '));
      for (const api of [cached, upstream]) {
        switch (op[0]) {
          case 'put':
            if (!api.lookup(op[1]).ok) {
              api.mknod(op[1], FILE);
            }
            api.put(op[1], { data: new TextEncoder().encode(op[2]), format: 'base64' });
            break;
          case 'mkdir':
            api.mknod(op[1], DIR);
            break;
          case 'rename':
            api.rename(op[1], op[2]);
            break;
          case 'delete':
            api.rmdir(op[1]);
            break;
          case 'take':
            if (api === cached) {
              inFlight = cached.takeChanges().requests;
            }
            break;
          case 'flush':
            if (api === cached && inFlight) {
              inFlight.forEach((request) => mine.answer(request));
              cached.settled();
              inFlight = null;
            } else if (api === cached) {
              flush(cached, mine);
            }
        }
      }
      assert.deepEqual(view(cached), view(upstream), `seed ${seed} after:\n${steps.join('\n')}`);
    }
    inFlight?.forEach((request) => mine.answer(request));
    cached.settled();
    flush(cached, mine);
    assert.deepEqual(
      mine.snapshot(),
      theirs.snapshot(),
      `seed ${seed}, storage after:\n${steps.join('\n')}`,
    );
  }
});

test('a thousand writes of one file are one request to the storage, and new files need no lookup each', () => {
  const storage = new Storage();
  const api = overlay(storage);
  for (let i = 0; i < 1000; i++) {
    if (!api.lookup('/drive/one.txt').ok) {
      api.mknod('/drive/one.txt', FILE);
    }
    api.put('/drive/one.txt', { data: new Uint8Array([120]), format: 'base64' });
    api.getattr('/drive/one.txt');
    assert.equal(api.lookup(`/drive/new-${i}.txt`).ok, false);
  }
  const before = storage.requests;
  const { requests } = api.takeChanges();
  assert.equal(requests.length, 1);
  assert.ok(before <= 2, `${before} round trips for the loop`);
});
