/**
 * A Worker that is created only when `launch()` is called. Until then, what is posted to it is
 * queued and its listeners are kept, so `initRemote` can wrap it (comlink) and send
 * `initialize` at once, while the kernel's boot waits for the start.
 *
 * Until the kernel says it is `booted()`, a worker that never ran (worker-first-word.ts), or
 * that went quiet mid-boot (no message for `stalledMs`), is replaced by a new one, given the
 * same listeners and every message posted to it so far: once, as a second such worker would not
 * be a passing fault (WebKitGTK's occasional worker that never runs, a request that never ends).
 */
type Listener = [
  string,
  EventListenerOrEventListenerObject,
  AddEventListenerOptions | boolean | undefined,
];

export class DeferredWorker {
  /**
   * @param create - the worker to launch (it may already be running: one booted ahead)
   * @param options - when a launched worker counts as faulty (never ran, or stalled), and how to
   *   replace it
   */
  constructor(create: () => Worker, options: DeferredWorker.IOptions) {
    this._create = create;
    this._options = options;
  }

  /** Whether the real worker has been created. */
  get started(): boolean {
    return this._worker !== null;
  }

  /**
   * Create the real worker (once), hand it the listeners and the queued messages. Not named
   * `start`: comlink calls `start()` on every endpoint that has one (as MessagePort has).
   */
  launch(): void {
    if (this._worker || this._terminated) {
      return;
    }
    this.use(this._create());
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    if (this._terminated) {
      return;
    }
    if (!this._booted) {
      // Kept for a replacement; one that transfers objects could not be posted twice.
      this._replayable &&= transfer.length === 0;
      this._queue.push([message, transfer]);
    }
    this._worker?.postMessage(message, transfer);
  }

  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: AddEventListenerOptions | boolean,
  ): void {
    this._listeners.push([type, listener, options]);
    this._worker?.addEventListener(type, listener, options);
  }

  removeEventListener(type: string, listener: EventListenerOrEventListenerObject): void {
    this._listeners = this._listeners.filter(([t, l]) => t !== type || l !== listener);
    this._worker?.removeEventListener(type, listener);
  }

  /** The kernel is ready, or failed: this worker stays, whatever it does. */
  booted(): void {
    this._booted = true;
    clearTimeout(this._watch);
    this._queue = [];
  }

  /** Ends the real worker, or makes sure it is never created. */
  terminate(): void {
    this._terminated = true;
    this.booted();
    this._worker?.terminate();
  }

  private use(worker: Worker): void {
    this._worker = worker;
    const silent = this._options.silentDeadline(worker);
    this.watch(silent === null ? 'stalled' : 'silent', silent ?? this._options.stalledMs);
    worker.addEventListener('message', this._onWord);
    for (const [type, listener, options] of this._listeners) {
      worker.addEventListener(type, listener, options);
    }
    for (const [message, transfer] of this._queue) {
      worker.postMessage(message, transfer);
    }
  }

  /** Replace the worker if it has said nothing (more) within `ms`. */
  private watch(why: DeferredWorker.Fault, ms: number): void {
    clearTimeout(this._watch);
    if (!this._booted) {
      this._watch = setTimeout(() => this.replace(why), ms);
    }
  }

  private _onWord = (): void => this.watch('stalled', this._options.stalledMs);

  private replace(why: DeferredWorker.Fault): void {
    if (this._booted || this._terminated || !this._worker) {
      return;
    }
    if (this._replaced || !this._replayable) {
      this._options.onGaveUp(why);
      return;
    }
    this._replaced = true;
    this._worker.removeEventListener('message', this._onWord);
    this._worker.terminate();
    this._options.onReplaced(why);
    this.use(this._options.replacement());
  }

  private _create: () => Worker;
  private _options: DeferredWorker.IOptions;
  private _worker: Worker | null = null;
  private _terminated = false;
  private _booted = false;
  private _replayable = true;
  private _replaced = false;
  private _watch: ReturnType<typeof setTimeout> | undefined;
  private _listeners: Listener[] = [];
  private _queue: [unknown, Transferable[]][] = [];
}

export namespace DeferredWorker {
  /** Why a worker was replaced: it never ran, or it stopped telling how its boot goes. */
  export type Fault = 'silent' | 'stalled';

  export interface IOptions {
    /**
     * In how many ms a worker must have said a word, or it never ran; null if it has run
     * (worker-first-word.ts, `silentDeadline`).
     */
    silentDeadline: (worker: Worker) => number | null;
    /** How long a worker that has run may go without a message before it counts as stalled. */
    stalledMs: number;
    /** A new worker, in place of a faulty one. */
    replacement: () => Worker;
    /** Called when a faulty worker is replaced. */
    onReplaced: (why: Fault) => void;
    /** Called when a worker is faulty and cannot be replaced (again). */
    onGaveUp: (why: Fault) => void;
  }
}
