/**
 * How far the kernel's boot has got, told to the page (kernel.ts), which marks each step on
 * its performance timeline (`performance.getEntriesByType('mark')`, the browser's developer
 * tools): a Python that never becomes ready then shows where it stopped. In a worker booted
 * ahead the first steps come before any kernel listens: each message carries them all.
 */

/** The key of the worker's message with the boot's steps so far. */
export const BOOT_STEPS_MESSAGE = '_tourBootSteps';

/**
 * The key of the files of the boot that have arrived so far, in order: in every message of the
 * steps, and alone in the message a file's arrival sends (progress, not a step). A page that gives
 * up on a stalled boot can say what had not come (kernel.ts).
 */
export const BOOT_ARRIVED_KEY = '_tourBootArrived';

/** A step's name and when it was reached, in ms since the worker started. */
export type BootStep = [string, number];

const steps: BootStep[] = [];
const arrived: string[] = [];

export function bootStep(name: string): void {
  steps.push([name, Math.round(performance.now())]);
  postMessage({ [BOOT_STEPS_MESSAGE]: steps, [BOOT_ARRIVED_KEY]: arrived });
}

/** A request's file name, as a step names it (`href` relative to the worker, or absolute). */
export function fileName(href: string): string {
  const path = new URL(href, globalThis.location?.href).pathname;
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

let watchingFetches = false;
let progress: PerformanceObserver | null = null;

/** How long a request of the boot may wait for its answer before that is a step of its own. */
export const SLOW_FETCH_MS = 5000;

/**
 * Until the boot ends (`bootEnded`), a step for each request of the worker that is slow (no
 * answer within SLOW_FETCH_MS, or a body still arriving after SLOW_BODY_MS), fails, or is
 * answered with an error: a boot that waits for ever on one file then names it. Requests
 * answered at once make no step (a boot makes dozens).
 */
export function watchBootFetches(): void {
  const plainFetch = self.fetch.bind(self);
  watchingFetches = true;
  // Each file fully arrived: progress the page sees (deferred-worker.ts), where a large file on
  // a slow link makes no step for a long while.
  if (typeof PerformanceObserver === 'function') {
    progress = new PerformanceObserver((entries) => {
      for (const entry of entries.getEntries()) {
        arrived.push(fileName(entry.name));
        postMessage({ [BOOT_ARRIVED_KEY]: arrived });
      }
    });
    try {
      progress.observe({ type: 'resource' });
    } catch {
      // no resource timing in this engine's workers: the steps alone tell the boot's progress
    }
  }
  self.fetch = async (resource: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (!watchingFetches) {
      return plainFetch(resource, init);
    }
    const name = fileName(resource instanceof Request ? resource.url : String(resource));
    const slow = setTimeout(
      () => bootStep(`no answer for ${name} after ${SLOW_FETCH_MS / 1000} s`),
      SLOW_FETCH_MS,
    );
    try {
      const response = await plainFetch(resource, init);
      if (!response.ok) {
        bootStep(`fetch ${name}: ${response.status}`);
      } else {
        watchArrival(name, response);
      }
      return response;
    } catch (error) {
      bootStep(`fetch ${name} failed: ${error}`);
      throw error;
    } finally {
      clearTimeout(slow);
    }
  };
}

/** How long the body of an answered request of the boot may take before that is a step. */
export const SLOW_BODY_MS = 20000;

/**
 * A step if `response`'s body has not all arrived within SLOW_BODY_MS, and another when it
 * has: an answer whose body stops half-way names its file and how much came. (Added when a
 * Firefox boot, and then its replacement, went quiet with every request answered; the next
 * such stall showed no body step, so its bodies had all come.) Reads a clone, at the pace the
 * bytes arrive; the caller's body is untouched.
 */
function watchArrival(name: string, response: Response): void {
  const body = response.body && response.clone().body;
  if (!body) {
    return;
  }
  const reader = body.getReader();
  let bytes = 0;
  let late = false;
  const slow = setTimeout(() => {
    late = true;
    bootStep(`${name} still arriving after ${SLOW_BODY_MS / 1000} s (${megabytes(bytes)} so far)`);
  }, SLOW_BODY_MS);
  const started = performance.now();
  (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        return;
      }
      bytes += value.byteLength;
    }
  })()
    .catch(() => undefined) // the reader of the caller's body sees any error
    .finally(() => {
      clearTimeout(slow);
      if (late) {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        bootStep(`${name} arrived after ${seconds} s (${megabytes(bytes)})`);
      }
    });
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The kernel is ready, or failed: its later requests are not boot steps. */
export function bootEnded(): void {
  watchingFetches = false;
  progress?.disconnect();
}
