/**
 * The site's kernel worker: upstream's PyodideRemoteKernel with the site's run-time behaviour.
 *
 * - When Python stops for good (see stops.ts), the running cell ends with an error that says
 *   so, every later request is answered without touching Python, and the page is told, so that
 *   it restarts the kernel (index.ts). Upstream left such a cell Busy forever.
 * - It can take a runtime booted before the kernel asked (early-boot.ts).
 * - jedi, which only code completion uses, is loaded at the first completion request.
 * - On a cross-origin isolated page, Kernel > Interrupt raises KeyboardInterrupt in the running
 *   cell: the page writes into the interrupt buffer handed to Pyodide here.
 * - Python-side changes (buffered output, input() without an answer) come from tour_kernel.py.
 */
import { PyodideRemoteKernel } from '@jupyterlite/pyodide-kernel/lib/worker';
import type { IPyodideWorkerKernel } from '@jupyterlite/pyodide-kernel/lib/tokens';

import { bootEnded, bootStep } from './boot-steps';
import { type EarlyBoot, type IOutputSink, KERNEL_IMPORTS, writeTourKernel } from './early-boot';
import { fetchGzipped } from './gzip-fetch';
import { STOPPED_ANSWERS, stopCause, stoppedCellError } from './stops';
import { takenAtomically } from './interrupt-byte';

/** The key of the message the worker posts to the page when Python has stopped for good. */
export const STOPPED_MESSAGE = '_tourRuntimeStopped';

/** The options the site's kernel passes on top of upstream's. */
export interface ITourWorkerOptions extends IPyodideWorkerKernel.IOptions {
  /** Files under the Pyodide folder to fetch as NAME.gz (sitetools/precompress.py). */
  gzipped?: string[];
  /** Pyodide's interrupt buffer, shared with the page (kernel.ts); null if not isolated. */
  interruptBuffer?: Uint8Array | null;
}

/** The kernel's own Python packages, loaded at start-up unless Pyodide preloaded them; jedi
 * is left out (upstream loads it here), see `loadJedi`. */
const KERNEL_PACKAGES = ['ipykernel', 'comm', 'pyodide-kernel', 'ipython'];

const INSTALL_PY = `from js import setTimeout, siteInterruptBuffer
from pyodide.ffi import create_once_callable
tour_kernel.install(
    pyodide_kernel,
    lambda call, ms: setTimeout(create_once_callable(call), ms),
    siteInterruptBuffer,
)`;

/** Resolved in place of a request's answer when Python stops while the request waits. */
const STOPPED = Symbol('stopped');

export abstract class TourRemoteKernel extends PyodideRemoteKernel {
  constructor(earlyBoot: EarlyBoot) {
    super();
    this._earlyBoot = earlyBoot;
  }

  async initialize(options: ITourWorkerOptions): Promise<void> {
    fetchGzipped(options.gzipped ?? []);
    // Shared with the page when it can be; else a byte of the worker's own, which only Python
    // can write (notebook 6 writes it to show what Kernel > Interrupt does).
    this._interruptBuffer = options.interruptBuffer ?? new Uint8Array(1);
    this._interruptShared = !!options.interruptBuffer;
    (self as unknown as { siteInterruptBuffer: Uint8Array }).siteInterruptBuffer =
      this._interruptBuffer;
    bootStep('kernel asked to start');
    try {
      await super.initialize(options);
    } catch (error) {
      bootStep(`kernel failed to start: ${error}`);
      throw error;
    } finally {
      bootEnded();
    }
    bootStep('kernel ready');
  }

  protected async initRuntime(options: IPyodideWorkerKernel.IOptions): Promise<void> {
    const output: IOutputSink = {
      stdout: (text) => {
        console.log(text);
        this._logMessage({ type: 'text', level: 'info', data: text });
      },
      stderr: (text) => {
        console.error(text);
        this._logMessage({ type: 'text', level: 'critical', data: text });
      },
    };
    const early = await this._earlyBoot.take(options, output);
    this._earlyBooted = !!early;
    if (early) {
      this._pyodide = early;
    } else {
      bootStep('loading Pyodide');
      await super.initRuntime(options);
    }
    bootStep(early ? 'took the Python booted ahead' : 'Pyodide loaded');
    this._pyodide.setInterruptBuffer(
      this._interruptShared ? takenAtomically(this._interruptBuffer) : this._interruptBuffer,
    );
    this.watchForStops();
  }

  protected async initKernel(options: IPyodideWorkerKernel.IOptions): Promise<void> {
    bootStep('filesystem and package manager ready');
    const preloaded = (options.loadPyodideOptions?.packages ?? []) as string[];
    const lines = KERNEL_PACKAGES.filter((name) => !preloaded.includes(name)).map(
      (name) => `await piplite.install('${name}', keep_going=True)`,
    );
    if (!this._earlyBooted) {
      writeTourKernel(this._pyodide);
    }
    await this._pyodide.runPythonAsync([...lines, KERNEL_IMPORTS].join('\n'));
    this._pyodide.runPython(INSTALL_PY);
    if (options.mountDrive && this._localPath) {
      this._pyodide.runPython(`import os; os.chdir(${JSON.stringify(this._localPath)})`);
    }
    this._pyodide.runPython('tour_kernel.moved_to_working_directory(pyodide_kernel)');
  }

  async execute(content: any, parent: any): Promise<any> {
    // A shared byte the page cleared as it sent the cell (kernel.ts, executeRequest): what it
    // holds now is an Interrupt for this cell, which Python raises in the cell's code
    // (tour_kernel.py). The worker's own byte only Python writes: what a cell left there is not
    // for the next one.
    if (!this._interruptShared) {
      this._interruptBuffer.fill(0);
    }
    return this.unlessStopped(
      () => super.execute(content, parent),
      () => this.stoppedCell(parent),
    );
  }

  async complete(content: any, parent: any): Promise<any> {
    return this.unlessStopped(
      async () => {
        await this.loadJedi();
        return super.complete(content, parent);
      },
      () => STOPPED_ANSWERS.complete(content),
    );
  }

  async inspect(content: any, parent: any): Promise<any> {
    return this.unlessStopped(() => super.inspect(content, parent), STOPPED_ANSWERS.inspect);
  }

  async isComplete(content: any, parent: any): Promise<any> {
    return this.unlessStopped(() => super.isComplete(content, parent), STOPPED_ANSWERS.isComplete);
  }

  async commInfo(content: any, parent: any): Promise<any> {
    return this.unlessStopped(() => super.commInfo(content, parent), STOPPED_ANSWERS.commInfo);
  }

  async commOpen(content: any, parent: any): Promise<any> {
    return this.unlessStopped(
      () => super.commOpen(content, parent),
      () => undefined,
    );
  }

  async commMsg(content: any, parent: any): Promise<any> {
    return this.unlessStopped(
      () => super.commMsg(content, parent),
      () => undefined,
    );
  }

  async commClose(content: any, parent: any): Promise<any> {
    return this.unlessStopped(
      () => super.commClose(content, parent),
      () => undefined,
    );
  }

  /**
   * Pyodide calls `on_fatal` (private API, as upstream uses it) when the runtime stops for
   * good, then throws inside whatever Python was doing: the request waiting for it would
   * never settle.
   */
  private watchForStops(): void {
    const api = (this._pyodide as unknown as { _api: { on_fatal?: (e: any) => unknown } })._api;
    const upstream = api.on_fatal;
    api.on_fatal = async (error: any) => {
      this.stopped(error);
      if (upstream) {
        await upstream(error); // upstream logs it to the log console
      }
    };
  }

  private stopped(error: unknown): void {
    if (this._stopCause !== null) {
      return;
    }
    this._stopCause = stopCause(error);
    this._waiting.forEach((settle) => settle());
    postMessage({ [STOPPED_MESSAGE]: { cause: this._stopCause } });
  }

  /** `request()`'s answer, or `answer()` if Python has stopped or stops while it waits. */
  private async unlessStopped<T>(request: () => Promise<T>, answer: () => T): Promise<T> {
    if (this._stopCause === null) {
      let settle = (): void => undefined;
      const stopped = new Promise<typeof STOPPED>((resolve) => {
        settle = () => resolve(STOPPED);
      });
      this._waiting.add(settle);
      try {
        const result = await Promise.race([request(), stopped]);
        if (result !== STOPPED) {
          return result as T;
        }
      } catch (error) {
        if (this._stopCause === null) {
          throw error;
        }
      } finally {
        this._waiting.delete(settle);
      }
    }
    return answer();
  }

  /** The cell's answer once Python has stopped: its error output, and an error reply. */
  private stoppedCell(parent: any): any {
    const error = stoppedCellError(this._stopCause ?? 'unknown');
    this._sendWorkerMessage({
      parentHeader: parent?.header,
      bundle: error,
      type: 'execute_error',
    });
    return { status: 'error', ...error };
  }

  /** jedi and parso (2.3 MB) serve only completion: loaded at the first completion request. */
  private loadJedi(): Promise<void> {
    this._jedi ??= (async () => {
      await this._initialized;
      try {
        await this._pyodide.loadPackage(['jedi'], { messageCallback: () => undefined });
        this._pyodide.runPython('tour_kernel.complete_with_jedi(pyodide_kernel)');
      } catch (error) {
        console.warn('jedi could not be loaded: completion goes on without it', error);
        this._pyodide.runPython('pyodide_kernel.ipython_shell.Completer.use_jedi = False');
      }
    })();
    return this._jedi;
  }

  private _earlyBoot: EarlyBoot;
  private _interruptBuffer: Uint8Array = new Uint8Array(1);
  private _interruptShared = false;
  private _earlyBooted = false;
  private _stopCause: string | null = null;
  private _waiting = new Set<() => void>();
  private _jedi: Promise<void> | null = null;
}
