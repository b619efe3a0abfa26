/**
 * A Worker that is created only when `launch()` is called. Until then, what is posted to it is
 * queued and its listeners are kept, so `initRemote` can wrap it (comlink) and send
 * `initialize` at once, while the kernel's boot waits for the start.
 *
 * A worker that never ran (worker-first-word.ts) is replaced by a new one, given the same
 * listeners and every message posted to it so far: once, as a second silent worker would not be
 * WebKitGTK's occasional miss.
 */
type Listener = [
  string,
  EventListenerOrEventListenerObject,
  AddEventListenerOptions | boolean | undefined,
];

export class DeferredWorker {
  /**
   * @param create - the worker to launch (it may already be running: one booted ahead)
   * @param options - when a launched worker counts as one that never ran, and how to replace it
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
    if (!this._heard) {
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

  /** Ends the real worker, or makes sure it is never created. */
  terminate(): void {
    this._terminated = true;
    clearTimeout(this._silence);
    this._worker?.terminate();
    this._queue = [];
  }

  private use(worker: Worker): void {
    this._worker = worker;
    const deadline = this._options.silentDeadline(worker);
    if (deadline === null) {
      this._heard = true; // it has run: nothing to replay
    } else {
      worker.addEventListener('message', this._onFirstWord);
      this._silence = setTimeout(() => this.replaceSilent(), deadline);
    }
    for (const [type, listener, options] of this._listeners) {
      worker.addEventListener(type, listener, options);
    }
    for (const [message, transfer] of this._queue) {
      worker.postMessage(message, transfer);
    }
    if (this._heard) {
      this._queue = [];
    }
  }

  private replaceSilent(): void {
    if (this._heard || this._terminated || !this._replayable || this._replaced) {
      return;
    }
    this._replaced = true;
    this._worker?.terminate();
    this._options.onReplaced();
    this.use(this._options.replacement());
  }

  private _onFirstWord = (): void => {
    this._heard = true;
    this._queue = [];
    clearTimeout(this._silence);
    this._worker?.removeEventListener('message', this._onFirstWord);
  };

  private _create: () => Worker;
  private _options: DeferredWorker.IOptions;
  private _worker: Worker | null = null;
  private _terminated = false;
  private _heard = false;
  private _replayable = true;
  private _replaced = false;
  private _silence: ReturnType<typeof setTimeout> | undefined;
  private _listeners: Listener[] = [];
  private _queue: [unknown, Transferable[]][] = [];
}

export namespace DeferredWorker {
  export interface IOptions {
    /**
     * In how many ms a worker must have said a word, or it never ran; null if it has run
     * (worker-first-word.ts, `silentDeadline`).
     */
    silentDeadline: (worker: Worker) => number | null;
    /** A new worker, in place of a silent one. */
    replacement: () => Worker;
    /** Called when a silent worker is replaced. */
    onReplaced: () => void;
  }
}
