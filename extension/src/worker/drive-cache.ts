/**
 * /drive in the worker's memory between two flushes: upstream's DriveFS with a write-back
 * contents API.
 *
 * Upstream's DriveFS makes one synchronous round trip to the page (through the service worker)
 * for every lookup, open, stat, write and close under /drive: about 57 ms for each file written
 * here. This API answers from the worker's memory instead:
 *
 * - what Python writes, creates, renames and deletes is applied to an overlay in memory and
 *   queued as the same drive requests upstream would have sent;
 * - what the overlay does not know is asked of the browser's storage once (upstream's round
 *   trip), through the queued renames and deletes, so a path renamed in this cell is read
 *   from where the storage still has it;
 * - `flush()` sends the queue to the page in one message at the end of each cell (and soon
 *   after a write made outside a cell); the page applies it with upstream's
 *   DriveContentsProcessor, the code that answers upstream's round trips (drive-sync.ts).
 *   Then the overlay is dropped, so the next cell reads the storage again and sees what
 *   another tab saved.
 */
import {
  ServiceWorkerContentsAPI,
  DriveFS,
  type ContentsAPI,
} from '@jupyterlite/services/lib/contents/drivefs';
import { DIR_MODE, FILE_MODE, isDirMode } from '@jupyterlite/services/lib/contents/emscripten';
import type { IStats } from '@jupyterlite/services/lib/contents/emscripten';

/** The keys of the messages of a flush: the worker's request and the page's answer. */
export const DRIVE_FLUSH_MESSAGE = '_tourDriveFlush';
export const DRIVE_FLUSHED_MESSAGE = '_tourDriveFlushed';

/** A drive request as upstream's DriveContentsProcessor takes it (paths normalized). */
export type DriveRequest =
  | { method: 'put'; path: string; data: { format: string; data: string } }
  | { method: 'mknod'; path: string; data: { mode: number } }
  | { method: 'rename'; path: string; data: { newPath: string } }
  | { method: 'rmdir'; path: string };

/** The page's answer to a flush: the requests it could not apply, with why. */
export interface IFlushAnswer {
  id: number;
  failed: { index: number; error: string }[];
}

/** What a flush left unsaved: the paths (under /drive) and why. */
export type FlushFailures = { path: string; error: string }[];

/** What the overlay knows of a path: absent (mode null), a file or a directory. */
interface IEntry {
  mode: number | null;
  /** The file's content, once read or written. */
  file?: IFile;
  /** The storage's stats, once asked. */
  stats?: IStats;
  /** When the overlay changed it (a write, a new directory). */
  changed?: number;
}

interface IFile {
  data: Uint8Array;
  format: 'json' | 'text' | 'base64';
}

/** A queued change, in emscripten paths (under the mount point). */
type Change =
  | { kind: 'put'; path: string; file: IFile }
  | { kind: 'mkdir'; path: string }
  | { kind: 'rename'; path: string; newPath: string }
  | { kind: 'delete'; path: string };

const decoder = new TextDecoder('utf-8');

function under(path: string, root: string): boolean {
  return path.startsWith(root + '/');
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function base64(data: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < data.length; i += step) {
    binary += String.fromCharCode(...data.subarray(i, i + step));
  }
  return btoa(binary);
}

export class CachedContentsAPI extends ServiceWorkerContentsAPI {
  constructor(options: ServiceWorkerContentsAPI.IOptions, onChange: () => void) {
    super(options);
    this._onChange = onChange;
  }

  /** Whether changes wait for a flush. */
  get pending(): boolean {
    return this._changes.length > 0;
  }

  lookup(path: string): DriveFS.ILookup {
    const entry = this.entry(path);
    return entry.mode === null ? { ok: false } : { ok: true, mode: entry.mode };
  }

  getmode(path: string): number {
    const entry = this.entry(path);
    if (entry.mode === null) {
      throw new this.FS.ErrnoError(this.ERRNO_CODES['ENOENT']);
    }
    return entry.mode;
  }

  mknod(path: string, mode: number): null {
    if (isDirMode(mode)) {
      this.set(path, { mode: DIR_MODE, changed: Date.now() });
      this.queue({ kind: 'mkdir', path });
    } else {
      // upstream's mknod saves an empty file, which the storage then holds as base64
      this.put(path, { data: new Uint8Array(0), format: 'base64' });
    }
    return null;
  }

  rename(oldPath: string, newPath: string): null {
    const entry = this.entry(oldPath);
    if (entry.mode === null) {
      throw new this.FS.ErrnoError(this.ERRNO_CODES['ENOENT']);
    }
    this.forget(newPath);
    for (const [path, moved] of [...this._entries]) {
      if (path === oldPath || under(path, oldPath)) {
        this._entries.delete(path);
        this._entries.set(newPath + path.slice(oldPath.length), moved);
      }
    }
    this._entries.set(oldPath, { mode: null });
    this.listingChanged(oldPath, newPath);
    this.queue({ kind: 'rename', path: oldPath, newPath });
    return null;
  }

  readdir(path: string): string[] {
    const names = new Set<string>();
    const source = this.source(path);
    if (source !== null && !this.createdHere(path)) {
      for (const name of this.storageListing(source)) {
        const child = `${path}/${name}`;
        if (this._entries.get(child)?.mode !== null && this.source(child) !== null) {
          names.add(name);
        }
      }
    }
    for (const [child, entry] of this._entries) {
      if (dirname(child) === path && entry.mode !== null) {
        names.add(basename(child));
      }
    }
    return [...names, '.', '..'];
  }

  /** unlink and rmdir: upstream sends both as a delete. */
  rmdir(path: string): null {
    this.forget(path);
    this._entries.set(path, { mode: null });
    this.listingChanged(path, null);
    this.queue({ kind: 'delete', path });
    return null;
  }

  get(path: string): DriveFS.IFile {
    const entry = this.entry(path);
    if (entry.mode === null || isDirMode(entry.mode)) {
      throw new this.FS.ErrnoError(this.ERRNO_CODES['ENOENT']);
    }
    if (!entry.file) {
      entry.file = super.get(this.source(path) as string);
    }
    // a copy: upstream's stream writes into what it was given before it puts it back
    return { data: entry.file.data.slice(), format: entry.file.format };
  }

  put(path: string, value: DriveFS.IFile): null {
    const file = { data: value.data, format: value.format };
    this.set(path, { mode: FILE_MODE, file, changed: Date.now() });
    const earlier = this._lastPut.get(path);
    if (earlier !== undefined) {
      this._changes[earlier] = null; // this put replaces it
    }
    this._lastPut.set(path, this._changes.length);
    this.queue({ kind: 'put', path, file });
    return null;
  }

  getattr(path: string): IStats {
    const entry = this.entry(path);
    if (entry.mode === null) {
      throw new this.FS.ErrnoError(this.ERRNO_CODES['ENOENT']);
    }
    if (entry.changed !== undefined) {
      const size = entry.file?.data.length ?? 0;
      const time = new Date(entry.changed);
      return {
        dev: 1,
        nlink: 1,
        uid: 0,
        gid: 0,
        rdev: 0,
        size,
        blksize: 4096,
        blocks: Math.ceil(size / 4096),
        atime: time,
        mtime: time,
        ctime: time,
        timestamp: entry.changed,
      } as unknown as IStats;
    }
    entry.stats ??= super.getattr(this.source(path) as string);
    return { ...entry.stats };
  }

  /**
   * The queued changes as upstream's drive requests, and the overlay emptied of what they
   * hold; `settled()` says how they ended.
   */
  takeChanges(): { requests: DriveRequest[]; paths: string[] } {
    const changes = this._changes.filter((change) => change !== null) as Change[];
    this._changes = [];
    this._lastPut.clear();
    this._inFlightStructural = this._structural;
    this._structural = [];
    const requests = changes.map((change) => this.request_(change));
    return { requests, paths: changes.map((change) => change.path) };
  }

  /**
   * The page has applied what `takeChanges()` took (but `failed`): the storage now holds it.
   * The overlay is dropped unless newer changes wait; what the storage was asked is
   * forgotten either way, since it changed.
   */
  settled(): void {
    this._inFlightStructural = [];
    this._listings.clear();
    if (this._changes.length === 0) {
      this._entries.clear();
    } else {
      for (const entry of this._entries.values()) {
        delete entry.stats;
      }
    }
  }

  /** What the overlay knows of `path`, asking the storage once if it knows nothing. */
  private entry(path: string): IEntry {
    let entry = this._entries.get(path);
    if (entry) {
      return entry;
    }
    const source = this.source(path);
    if (source === null) {
      entry = { mode: null };
    } else if (source === this.mountpoint) {
      entry = { mode: DIR_MODE };
    } else {
      // A missing name in a folder of the storage needs no round trip once the folder is
      // listed (a loop that creates many files); a folder moved here is asked name by name.
      const parent = dirname(path);
      const listing =
        source === path && this._entries.get(parent)?.changed === undefined
          ? this.storageListing(parent)
          : undefined;
      if (listing && !listing.has(basename(source))) {
        entry = { mode: null };
      } else {
        const found = super.lookup(source);
        entry = { mode: found.ok ? (found.mode as number) : null };
      }
    }
    this._entries.set(path, entry);
    return entry;
  }

  /**
   * Where the storage holds what `path` shows, given the changes not yet in it: null if it
   * holds nothing there (deleted, renamed away, inside a folder made or replaced here).
   */
  private source(path: string): string | null {
    let source = path;
    // puts need no look: nothing is inside a file
    for (const changes of [this._structural, this._inFlightStructural]) {
      for (let i = changes.length - 1; i >= 0; i--) {
        const change = changes[i];
        if (change.kind === 'rename') {
          if (source === change.newPath || under(source, change.newPath)) {
            source = change.path + source.slice(change.newPath.length);
            continue;
          }
          if (source === change.path || under(source, change.path)) {
            return null;
          }
        } else if (change.kind === 'delete') {
          if (source === change.path || under(source, change.path)) {
            return null;
          }
        } else if (under(source, change.path)) {
          return null; // inside a folder made here
        }
      }
    }
    return source;
  }

  /** Whether `path` is a folder made here, which the storage does not hold yet. */
  private createdHere(path: string): boolean {
    return this._entries.get(path)?.changed !== undefined;
  }

  /** The names the storage holds in the folder `source`, asked once between two flushes. */
  private storageListing(source: string): Set<string> {
    let listing = this._listings.get(source);
    if (!listing) {
      listing = new Set(super.readdir(source).filter((name) => name !== '.' && name !== '..'));
      this._listings.set(source, listing);
    }
    return listing;
  }

  private get mountpoint(): string {
    return (this as unknown as { _mountpoint: string })._mountpoint;
  }

  private set(path: string, entry: IEntry): void {
    this._entries.set(path, entry);
  }

  /** Drop what the overlay knows under `path` (replaced or deleted). */
  private forget(path: string): void {
    for (const known of [...this._entries.keys()]) {
      if (under(known, path)) {
        this._entries.delete(known);
      }
    }
    for (const known of [...this._lastPut.keys()]) {
      if (known === path || under(known, path)) {
        this._lastPut.delete(known);
      }
    }
  }

  /** After a rename or delete: later puts must not replace the puts queued before it. */
  private listingChanged(oldPath: string, newPath: string | null): void {
    for (const known of [...this._lastPut.keys()]) {
      if (
        known === oldPath ||
        under(known, oldPath) ||
        (newPath !== null && (known === newPath || under(known, newPath)))
      ) {
        this._lastPut.delete(known);
      }
    }
  }

  private queue(change: Change): void {
    this._changes.push(change);
    if (change.kind !== 'put') {
      this._structural.push(change);
    }
    this._onChange();
  }

  private request_(change: Change): DriveRequest {
    const path = this.normalizePath(change.path);
    switch (change.kind) {
      case 'put': {
        const { data, format } = change.file;
        const text = format === 'base64' ? base64(data) : decoder.decode(data);
        return { method: 'put', path, data: { format, data: text } };
      }
      case 'mkdir':
        return { method: 'mknod', path, data: { mode: DIR_MODE } };
      case 'rename':
        return { method: 'rename', path, data: { newPath: this.normalizePath(change.newPath) } };
      case 'delete':
        return { method: 'rmdir', path };
    }
  }

  private _onChange: () => void;
  private _entries = new Map<string, IEntry>();
  private _listings = new Map<string, Set<string>>();
  private _changes: (Change | null)[] = [];
  /** The changes that are not puts, queued and sent: what `source()` looks through. */
  private _structural: Change[] = [];
  private _inFlightStructural: Change[] = [];
  private _lastPut = new Map<string, number>();
}

/** Upstream's DriveFS on the write-back API; `flush()` sends what waits to the page. */
export class TourDriveFS extends DriveFS {
  constructor(options: DriveFS.IOptions & { onChange: () => void }) {
    TourDriveFS._onChange = options.onChange;
    super(options);
  }

  createAPI(options: DriveFS.IOptions): ContentsAPI {
    if (!options.browsingContextId || !options.baseUrl) {
      throw new Error('Cannot create service-worker API without current browsingContextId');
    }
    return new CachedContentsAPI(
      options as ServiceWorkerContentsAPI.IOptions,
      TourDriveFS._onChange,
    );
  }

  get cached(): CachedContentsAPI {
    return this.API as CachedContentsAPI;
  }

  /** upstream's constructor calls createAPI before this constructor's body can keep anything */
  private static _onChange: () => void = () => undefined;
}

/** The flushes waiting for the page's answer, by id. */
const answers = new Map<number, (failed: IFlushAnswer['failed']) => void>();
let lastFlushId = 0;

/** Take the page's answers to flushes; call before the RPC layer listens (comlink). */
export function listenForFlushAnswers(): void {
  self.addEventListener('message', (event: MessageEvent) => {
    const answer = event.data?.[DRIVE_FLUSHED_MESSAGE] as IFlushAnswer | undefined;
    if (answer) {
      event.stopImmediatePropagation(); // not a message for the kernel's RPC layer
      answers.get(answer.id)?.(answer.failed);
      answers.delete(answer.id);
    }
  });
}

/**
 * Sends the drive's queued changes to the page and waits for its answer, one flush at a time.
 * Resolves with what could not be saved (empty when all was).
 */
export class DriveFlusher {
  constructor(drive: TourDriveFS) {
    this._api = drive.cached;
  }

  /** Flush now, after any flush under way. */
  flush(): Promise<FlushFailures> {
    const run = this._last.then(() => this.send());
    this._last = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async send(): Promise<FlushFailures> {
    if (!this._api.pending) {
      this._api.settled(); // nothing to send: forget what was read, for the next cell
      return [];
    }
    const { requests, paths } = this._api.takeChanges();
    const id = ++lastFlushId;
    let failed: IFlushAnswer['failed'];
    try {
      failed = await new Promise((resolve) => {
        answers.set(id, resolve);
        postMessage({ [DRIVE_FLUSH_MESSAGE]: { id, requests } });
      });
    } finally {
      this._api.settled();
    }
    return failed.map(({ index, error }) => ({ path: paths[index], error }));
  }

  private _api: CachedContentsAPI;
  private _last: Promise<void> = Promise.resolve();
}

/** The error a cell shows when some of its files could not be saved. */
export function unsavedError(failures: FlushFailures): {
  ename: string;
  evalue: string;
  traceback: string[];
} {
  const first = `Not saved to the browser's storage: ${failures.map((f) => f.path).join(', ')}`;
  return {
    ename: 'OSError',
    evalue: first,
    traceback: [
      `\x1b[0;31mOSError\x1b[0m: ${first}`,
      ...failures.map((f) => `  ${f.path}: ${f.error}`),
      "A reload will not show these changes; the cell's other changes in /drive were saved.",
    ],
  };
}

/**
 * /drive with write-back: the DriveFS to mount, a flush at the end of each cell (`cell()`),
 * and a flush soon after a change made outside any cell (a timer's or a widget's callback).
 */
export class DriveWriteBack {
  constructor(options: DriveFS.IOptions, report: (message: string) => void) {
    this.fs = new TourDriveFS({ ...options, onChange: () => this.changed() });
    this._flusher = new DriveFlusher(this.fs);
    this._report = report;
  }

  readonly fs: TourDriveFS;

  /**
   * Run a cell, then send what it changed under /drive to the storage, before its reply.
   * What could not be saved becomes an error output (`showError`) and an error reply.
   */
  async cell(run: () => Promise<any>, showError: (error: any) => void): Promise<any> {
    // What another tab saved since is read again: the overlay holds nothing from before.
    await this.flushOutsideCell();
    this._cells++;
    let reply: any;
    try {
      reply = await run();
    } finally {
      this._cells--;
    }
    const failures = await this._flusher.flush();
    if (failures.length === 0) {
      return reply;
    }
    const error = unsavedError(failures);
    showError(error);
    return reply?.status === 'error' ? reply : { ...reply, status: 'error', ...error };
  }

  private changed(): void {
    if (this._cells > 0 || this._soon) {
      return;
    }
    this._soon = true;
    setTimeout(() => {
      this._soon = false;
      void this.flushOutsideCell();
    }, 0);
  }

  /** A flush with no cell to show its failures: they go to the log console. */
  private async flushOutsideCell(): Promise<void> {
    const failures = await this._flusher.flush();
    if (failures.length > 0) {
      this._report(unsavedError(failures).traceback.join('\n'));
    }
  }

  private _flusher: DriveFlusher;
  private _report: (message: string) => void;
  private _cells = 0;
  private _soon = false;
}
