/**
 * The site's Python kernel: upstream's PyodideKernel, with the site's worker (worker/*.ts),
 * started early, started late for hidden notebooks, restarted when Python stops, and
 * interrupted through Pyodide's interrupt buffer on a cross-origin isolated page.
 */
import { wrap } from 'comlink';

import { Notification } from '@jupyterlab/apputils';

import type { ILogPayload } from '@jupyterlab/logconsole';
import type { KernelMessage } from '@jupyterlab/services';
import { PyodideKernel } from '@jupyterlite/pyodide-kernel/lib/kernel';
import type {
  IComlinkPyodideKernel,
  IPyodideWorkerKernel,
} from '@jupyterlite/pyodide-kernel/lib/tokens';
import type { PromiseDelegate } from '@lumino/coreutils';

import { DeferredWorker } from './deferred-worker';
import { answerDriveFlushes } from './drive-sync';
import { createWorker, silentDeadline } from './worker-first-word';
import { arrivedBeforeTaken } from './booted-workers';
import { BOOT_ARRIVED_KEY, BOOT_STEPS_MESSAGE, type BootStep } from './worker/boot-steps';

/** The key of the worker's message when Python has stopped for good (worker/remote.ts). */
export const STOPPED_MESSAGE = '_tourRuntimeStopped';

/** What Pyodide's interrupt buffer holds to ask for a KeyboardInterrupt: the signal SIGINT. */
export const SIGINT = 2;

/**
 * How long a kernel worker may go without a message while it boots. Its boot tells each step
 * and each file that has arrived (worker/boot-steps.ts); its longest quiet stretch is then one
 * large file on a slow link: python_stdlib.zip, 5.3 MB, takes 42 s alone at 1 Mbit/s.
 */
export const STALLED_BOOT_MS = 60_000;

/** Pyodide's own files, which every boot fetches (the interpreter possibly gzipped). */
const RUNTIME_FILES = [
  'pyodide.mjs',
  'pyodide-lock.json',
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
];

/**
 * A faulty worker, as a boot step says it; a stalled one with which of Pyodide's own files had
 * not arrived (all had, in a boot stalled in a module's import or the interpreter's compile).
 */
function fault(why: DeferredWorker.Fault, stalledMs: number, arrived: string[] = []): string {
  if (why === 'silent') {
    return 'the worker said nothing';
  }
  const missing = RUNTIME_FILES.filter(
    (name) => !arrived.includes(name) && !arrived.includes(`${name}.gz`),
  );
  const files = missing.length ? `not ${missing.join(', ')}` : "Pyodide's own among them";
  return `the boot made no progress for ${stalledMs / 1000} s (${arrived.length} files had arrived, ${files})`;
}

/** What Interrupt did: asked Python to stop, found no cell running, or cannot on this page. */
export type InterruptOutcome = 'sent' | 'idle' | 'unavailable';

/**
 * The URL of the site's worker. The file is a self-contained ES module built by esbuild
 * (scripts/build-workers.mjs) and emitted as a plain asset (webpack.config.cjs), as upstream
 * does with its own workers (pyodide-kernel PR 294).
 */
export function workerUrl(): URL {
  return new URL('./tour-comlink.worker.js', import.meta.url);
}

/** The private members of upstream's PyodideKernel that its comlink remote uses. */
interface IUpstreamKernel {
  _worker: Worker;
  _ready: PromiseDelegate<void>;
  _logger: (options: { payload: ILogPayload; kernelId: string }) => void;
  _processWorkerMessage(msg: unknown): void;
  _processLogMessage(payload: ILogPayload): void;
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

  /**
   * A worker that boots when the kernel is wanted (start-rule.ts): one whose Python is already
   * booted if the page has one (booted-workers.ts), else a new one (DeferredWorker.launch).
   */
  protected initWorker(options: TourKernel.IOptions): Worker {
    const url = workerUrl();
    const newWorker = () => createWorker(url);
    const stalledMs = options.stalledBootMs ?? STALLED_BOOT_MS;
    const takeOrCreate = () => {
      const taken = options.takeBootedWorker(url.href);
      this._workerArrived = taken ? arrivedBeforeTaken(taken) : [];
      return taken ?? newWorker();
    };
    const worker = new DeferredWorker(takeOrCreate, {
      silentDeadline,
      stalledMs,
      replacement: newWorker,
      onReplaced: (why) => {
        this.bootStep(`${fault(why, stalledMs, this._workerArrived)}: a new worker started`);
        this._workerSteps = 0; // the new worker tells its steps and files from the first
        this._workerArrived = [];
      },
      onGaveUp: (why) => this.bootGaveUp(fault(why, stalledMs, this._workerArrived)),
    });
    worker.addEventListener('message', (event) => {
      const data = (event as MessageEvent).data;
      this._workerArrived = data?.[BOOT_ARRIVED_KEY] ?? this._workerArrived;
      if (data?.[STOPPED_MESSAGE]) {
        this.runtimeStopped(options, String(data[STOPPED_MESSAGE].cause));
      } else if (data?.[BOOT_STEPS_MESSAGE]) {
        this.workerBootSteps(data[BOOT_STEPS_MESSAGE]);
      }
    });
    answerDriveFlushes(worker, options.contentsManager);
    this.bootStep('waiting to be shown');
    void options.whenWanted(options.id).then(() => {
      if (this.isDisposed) {
        return;
      }
      worker.launch();
      this.bootStep('wanted: worker started');
      this.ready.then(
        () => {
          worker.booted();
          this.bootStep('ready');
          options.onReady();
        },
        (reason) => {
          worker.booted();
          this.failedToStart(reason);
        },
      );
    });
    return worker as unknown as Worker;
  }

  /**
   * A step of this kernel's boot, marked on the page's performance timeline (the developer
   * tools show it; the tests print it when a kernel never becomes ready).
   */
  private bootStep(step: string, workerMs?: number): void {
    this._lastStep = step;
    const detail = { pythonKernel: this.id, step, workerMs };
    performance.mark(`Python kernel: ${step}`, { detail });
  }

  /** The worker's steps so far; each message repeats the earlier ones (worker/boot-steps.ts). */
  private workerBootSteps(steps: BootStep[]): void {
    for (const [step, ms] of steps.slice(this._workerSteps ?? 0)) {
      this.bootStep(step, ms);
    }
    this._workerSteps = steps.length;
  }

  /** A faulty worker that could not be replaced (again): say so, with where the boot stopped. */
  private bootGaveUp(fault: string): void {
    const step = this._lastStep;
    this.bootStep(`${fault}: given up`);
    console.error(`The Python kernel gave up (${fault}); last step: ${step}`);
    Notification.error(
      `Python has not started: its boot stopped at "${step}". Check the connection, then reload the page.`,
      { autoClose: false },
    );
  }

  /** Python could not start: say so where the learner looks, with what to do. */
  private failedToStart(reason: unknown): void {
    this.bootStep(`failed: ${reason}`);
    console.error('The Python kernel could not start:', reason);
    Notification.error(
      `Python could not start: ${reason}. Use Kernel > Restart Kernel… to try again, or reload the page.`,
      { autoClose: false },
    );
  }

  /**
   * Upstream's comlink remote on every page, isolated or not. On a cross-origin isolated page
   * upstream 0.8.6 switches to coincident 1.2.3, whose synchronous calls race both ways (the
   * page arms its wait after posting, and the worker reads an answer still being written):
   * 5 of 12 first cells hung or ended Pyodide with "Bad control character in JSON" here.
   * Upstream moved to coincident 4 in 0.9.0a1. Until the site moves too, /drive and input()
   * go through the service worker on every page, as before; isolation serves Interrupt.
   * The lines below are upstream's comlink branch of `initRemote`.
   */
  protected initRemote(options: TourKernel.IOptions): IPyodideWorkerKernel {
    if (!crossOriginIsolated) {
      return super.initRemote(options);
    }
    const upstream = this as unknown as IUpstreamKernel;
    const remote = wrap(upstream._worker) as unknown as IComlinkPyodideKernel;
    upstream._worker.addEventListener('message', (event: MessageEvent) => {
      if (event.data?._kernelMessage !== undefined) {
        upstream._processWorkerMessage(event.data._kernelMessage);
      } else if (event.data?._logMessage !== undefined) {
        upstream._processLogMessage(event.data._logMessage);
      }
    });
    remote
      .initialize(this.initRemoteOptions(options))
      .then(() => upstream._ready.resolve())
      .catch((error: Error) => {
        const payload: ILogPayload = { type: 'text', level: 'critical', data: error.message };
        upstream._logger({ payload, kernelId: this.id });
        upstream._ready.reject(error.message);
      });
    return remote;
  }

  protected initRemoteOptions(options: TourKernel.IOptions): IPyodideWorkerKernel.IOptions {
    return {
      ...super.initRemoteOptions(options),
      gzipped: options.gzipped,
      interruptBuffer: this.interruptBuffer,
    } as IPyodideWorkerKernel.IOptions;
  }

  /**
   * Shared with the worker, which hands it to `pyodide.setInterruptBuffer`: Python checks it
   * while it runs and raises KeyboardInterrupt when it holds SIGINT. A SharedArrayBuffer
   * exists only on a cross-origin isolated page (isolation.ts), and not in every engine.
   */
  get interruptBuffer(): Uint8Array | null {
    if (this._interruptBuffer === undefined) {
      // WebKitGTK 2.50 has no SharedArrayBuffer even on an isolated page (measured).
      const shared = crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined';
      this._interruptBuffer = shared ? new Uint8Array(new SharedArrayBuffer(1)) : null;
    }
    return this._interruptBuffer;
  }

  /** Kernel > Interrupt: a KeyboardInterrupt in the running cell (kernel-client.ts). */
  interrupt(): InterruptOutcome {
    if (!this._executing) {
      return 'idle';
    }
    const buffer = this.interruptBuffer;
    if (!buffer) {
      return 'unavailable';
    }
    buffer[0] = SIGINT;
    return 'sent';
  }

  async executeRequest(
    content: KernelMessage.IExecuteRequestMsg['content'],
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    // Interrupt writes only while a cell runs, from now on: one that came as the previous cell
    // ended is not for this one. Cleared here, in the page, and not when the worker gets the
    // cell: an Interrupt pressed in between (the learner already sees the kernel busy) would be
    // lost, and the loop would run on.
    this.interruptBuffer?.fill(0);
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
  private _workerSteps?: number;
  private _workerArrived: string[] = [];
  private _lastStep?: string;
  private _interruptBuffer?: Uint8Array | null;
  private _executing?: boolean;
  private _stopped?: boolean;
  private _restartAsked?: boolean;
  private _onStopped?: (kernelId: string, duringCell: boolean) => void;
}

export namespace TourKernel {
  export interface IOptions extends PyodideKernel.IOptions {
    /** Files under the Pyodide folder to fetch as NAME.gz. */
    gzipped: string[];
    /** How long a boot may go without progress before a new worker takes it (STALLED_BOOT_MS). */
    stalledBootMs?: number;
    /** A worker for this URL whose Python the page has booted ahead, once; else null. */
    takeBootedWorker: (url: string) => Worker | null;
    /** Called when the kernel is ready (the page may then boot the next Python ahead). */
    onReady: () => void;
    /** Resolves when the kernel should boot. */
    whenWanted: (kernelId: string) => Promise<void>;
    /**
     * Called once when Python has stopped for good: after the running cell has its answer
     * (`duringCell`), or at once when no cell was running (a timer's callback, say).
     */
    onRuntimeStopped: (kernelId: string, cause: string, duringCell: boolean) => void;
  }
}
