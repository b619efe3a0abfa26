/**
 * A Worker that is created only when `launch()` is called. Until then, what is posted to it is
 * queued and its listeners are kept, so `initRemote` can wrap it (comlink) and send
 * `initialize` at once, while the kernel's boot waits for the start.
 */
type Listener = [
  string,
  EventListenerOrEventListenerObject,
  AddEventListenerOptions | boolean | undefined,
];

export class DeferredWorker {
  constructor(create: () => Worker) {
    this._create = create;
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
    const worker = (this._worker = this._create());
    for (const [type, listener, options] of this._listeners) {
      worker.addEventListener(type, listener, options);
    }
    for (const [message, transfer] of this._queue) {
      worker.postMessage(message, transfer);
    }
    this._listeners = [];
    this._queue = [];
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    if (this._worker) {
      this._worker.postMessage(message, transfer);
    } else if (!this._terminated) {
      this._queue.push([message, transfer]);
    }
  }

  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: AddEventListenerOptions | boolean,
  ): void {
    if (this._worker) {
      this._worker.addEventListener(type, listener, options);
    } else {
      this._listeners.push([type, listener, options]);
    }
  }

  removeEventListener(type: string, listener: EventListenerOrEventListenerObject): void {
    if (this._worker) {
      this._worker.removeEventListener(type, listener);
    } else {
      this._listeners = this._listeners.filter(([t, l]) => t !== type || l !== listener);
    }
  }

  /** Ends the real worker, or makes sure it is never created. */
  terminate(): void {
    this._terminated = true;
    this._worker?.terminate();
    this._queue = [];
  }

  private _create: () => Worker;
  private _worker: Worker | null = null;
  private _terminated = false;
  private _listeners: Listener[] = [];
  private _queue: [unknown, Transferable[]][] = [];
}
