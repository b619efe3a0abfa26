/**
 * Kernel workers whose Python is booted before a kernel asks for one.
 *
 * The first boots while JupyterLab's front end is still loading (the early boot). Once a
 * kernel has taken one and is ready, the page boots the next in the background: the next
 * notebook, Kernel > Restart, and the restart after Python stopped each take a Python that is
 * already booted (worker/early-boot.ts: Pyodide loaded, the kernel's Python side imported)
 * instead of booting their own (issue 24). One spare at a time: it costs the memory of one
 * idle Python (about 200 MB in Chromium's task manager) and about 3 s of one core, spent while
 * the learner reads.
 */
// With their extension: Node runs the unit tests on lib/ (test/booted-workers.test.mjs).
import { BOOT_ARRIVED_KEY, BOOT_STEPS_MESSAGE, type BootStep } from './worker/boot-steps.js';
import type { IEarlyBootRequest } from './worker/early-boot';
import { SILENT_WORKER_MS, createWorker, silentDeadline } from './worker-first-word.js';

/**
 * The early-boot request's key (worker/early-boot.ts, which imports the worker's Pyodide
 * loader: not a module for the page or for Node).
 */
const EARLY_BOOT_MESSAGE = '_tourEarlyBoot';
/**
 * How long after a kernel is ready the next Python starts booting: the learner's first cell
 * (often the first import of a notebook) gets the CPU first.
 */
export const NEXT_BOOT_DELAY_MS = 1000;
/** A step of a boot ahead, on the page's performance timeline, as kernel.ts marks a kernel's. */
function markBootStep(step: string, workerMs?: number): void {
  performance.mark(`Python booted ahead: ${step}`, {
    detail: { pythonKernel: 'ahead', step, workerMs },
  });
}

/** The files of each booted-ahead worker's boot that have arrived, until a kernel takes it. */
const arrivedFiles = new WeakMap<Worker, string[]>();

/** The files of `worker`'s boot that had arrived when a kernel took it (none if it was new). */
export function arrivedBeforeTaken(worker: Worker): string[] {
  return arrivedFiles.get(worker) ?? [];
}

/** The newest of a booted-ahead worker's boot steps (worker/boot-steps.ts), and its files. */
function markBootSteps(event: MessageEvent): void {
  const steps: BootStep[] | undefined = event.data?.[BOOT_STEPS_MESSAGE];
  if (steps?.length) {
    markBootStep(...steps[steps.length - 1]);
  }
  const arrived: string[] | undefined = event.data?.[BOOT_ARRIVED_KEY];
  if (arrived && event.target) {
    arrivedFiles.set(event.target as Worker, arrived);
  }
}

export class BootedWorkers {
  /**
   * @param url - the kernel worker's script (kernel.ts, `workerUrl`)
   * @param request - what the worker boots: the same files and options as the kernel's
   * @param spare - whether to boot the next one after each take (the first boots anyway)
   */
  constructor(url: string, request: IEarlyBootRequest, spare: boolean) {
    this._url = url;
    this._request = request;
    this._spare = spare;
    this._next = this.boot();
  }

  /**
   * A booted (or booting) worker for a kernel of script `url`, once; null if there is none,
   * and the kernel then creates its own worker, as upstream does.
   */
  take(url: string): Worker | null {
    const worker = url === this._url ? this._next : null;
    if (worker) {
      this._next = null;
      worker.removeEventListener('message', markBootSteps); // the kernel marks them now
    }
    return worker;
  }

  /** A kernel that took a worker is ready: boot the next one, after a moment. */
  kernelReady(): void {
    if (!this._spare || this._next || this._timer) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = 0;
      this._next ??= this.boot();
    }, NEXT_BOOT_DELAY_MS);
  }

  private boot(): Worker | null {
    try {
      const worker = createWorker(this._url);
      worker.postMessage({ [EARLY_BOOT_MESSAGE]: this._request });
      markBootStep('worker created');
      worker.addEventListener('message', markBootSteps);
      this.replaceIfSilent(worker);
      return worker;
    } catch (error) {
      console.warn('Could not boot a kernel worker ahead; the kernel starts its own', error);
      return null;
    }
  }

  /**
   * A worker that never ran (worker-first-word.ts) gives way to a new one, unless a kernel took
   * it meanwhile (the kernel then replaces it: deferred-worker.ts); up to twice a page.
   */
  private replaceIfSilent(worker: Worker): void {
    setTimeout(() => {
      if (this._next !== worker || silentDeadline(worker) === null || this._replaced >= 2) {
        return;
      }
      this._replaced += 1;
      worker.terminate();
      markBootStep('the worker said nothing: a new worker started');
      this._next = this.boot();
    }, SILENT_WORKER_MS);
  }

  private _url: string;
  private _request: IEarlyBootRequest;
  private _spare: boolean;
  private _next: Worker | null;
  private _timer = 0;
  private _replaced = 0;
}
