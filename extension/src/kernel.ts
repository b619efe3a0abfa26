/**
 * The site's Python kernel: upstream's PyodideKernel, with the site's worker (worker/*.ts),
 * started early, started late for hidden notebooks, and restarted when Python stops.
 */
import { PyodideKernel } from '@jupyterlite/pyodide-kernel/lib/kernel';
import type { IPyodideWorkerKernel } from '@jupyterlite/pyodide-kernel/lib/tokens';
import type { KernelMessage } from '@jupyterlab/services';

import { DeferredWorker } from './deferred-worker';

/** The key of the worker's message when Python has stopped for good (worker/remote.ts). */
export const STOPPED_MESSAGE = '_tourRuntimeStopped';

/**
 * The URL of the site's worker for this page. The files are self-contained ES modules built
 * by esbuild (scripts/build-workers.mjs) and emitted as plain assets (webpack.config.js), as
 * upstream does with its own workers (pyodide-kernel PR 294).
 */
export function workerUrl(): URL {
  return crossOriginIsolated
    ? new URL('./tour-coincident.worker.js', import.meta.url)
    : new URL('./tour-comlink.worker.js', import.meta.url);
}

export class TourKernel extends PyodideKernel {
  constructor(options: TourKernel.IOptions) {
    super(options);
  }

  /**
   * Upstream's `ready`, except for a kernel disposed before it was ready (a restored tab closed
   * unseen, or shown only as the tabs in front of it were closed): upstream rejects it, and
   * each message waiting for it would end in an unhandled "was disposed" error in the page.
   * Such a kernel is simply never ready; a real start-up failure still rejects.
   */
  get ready(): Promise<void> {
    this._readyUnlessDisposed ??= new Promise((resolve, reject) => {
      super.ready.then(resolve, (reason) => {
        if (!this.isDisposed) {
          reject(reason);
        }
      });
    });
    return this._readyUnlessDisposed;
  }

  /** A worker that boots when the kernel is wanted (start-rule.ts), maybe the early one (DeferredWorker.launch). */
  protected initWorker(options: TourKernel.IOptions): Worker {
    const url = workerUrl();
    const worker = new DeferredWorker(
      () => options.takeEarlyWorker(url.href) ?? new Worker(url, { type: 'module' }),
    );
    worker.addEventListener('message', (event) => {
      const stop = (event as MessageEvent).data?.[STOPPED_MESSAGE];
      if (stop) {
        this.runtimeStopped(options, String(stop.cause));
      }
    });
    void options.whenWanted(options.id).then(() => worker.launch());
    return worker as unknown as Worker;
  }

  protected initRemoteOptions(options: TourKernel.IOptions): IPyodideWorkerKernel.IOptions {
    return {
      ...super.initRemoteOptions(options),
      gzipped: options.gzipped,
    } as IPyodideWorkerKernel.IOptions;
  }

  async executeRequest(
    content: KernelMessage.IExecuteRequestMsg['content'],
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    this._executing = true;
    try {
      return await super.executeRequest(content);
    } finally {
      this._executing = false;
      if (this._stopped) {
        // After the reply and the idle status are sent: the cell shows why Python stopped,
        // and the cells queued after it are cancelled, as after any error.
        setTimeout(() => this.restartAfterStop(true), 0);
      }
    }
  }

  /** Python stopped for good: once the cell that ran has its answer, restart. */
  private runtimeStopped(options: TourKernel.IOptions, cause: string): void {
    this._stopped = true;
    this._onStopped = (id, duringCell) => options.onRuntimeStopped(id, cause, duringCell);
    if (!this._executing) {
      this.restartAfterStop(false);
    }
  }

  private restartAfterStop(duringCell: boolean): void {
    if (this._restartAsked || this.isDisposed) {
      return;
    }
    this._restartAsked = true;
    this._onStopped?.(this.id, duringCell);
  }

  // Set from initWorker, which upstream's constructor calls before this class's field
  // initializers would run: no initializers here (useDefineForClassFields is off).
  private _readyUnlessDisposed?: Promise<void>;
  private _executing?: boolean;
  private _stopped?: boolean;
  private _restartAsked?: boolean;
  private _onStopped?: (kernelId: string, duringCell: boolean) => void;
}

export namespace TourKernel {
  export interface IOptions extends PyodideKernel.IOptions {
    /** Files under the Pyodide folder to fetch as NAME.gz. */
    gzipped: string[];
    /** The worker the page started early for this URL, once; else null. */
    takeEarlyWorker: (url: string) => Worker | null;
    /** Resolves when the kernel should boot. */
    whenWanted: (kernelId: string) => Promise<void>;
    /**
     * Called once when Python has stopped for good: after the running cell has its answer
     * (`duringCell`), or at once when no cell was running (a timer's callback, say).
     */
    onRuntimeStopped: (kernelId: string, cause: string, duringCell: boolean) => void;
  }
}
