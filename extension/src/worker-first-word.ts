/**
 * Whether a kernel worker has run at all. The worker's first line posts a message
 * (worker/boot-steps.ts: "worker script running"), before any work that could keep it busy,
 * so a worker silent SILENT_WORKER_MS after it was created never ran. WebKitGTK sometimes
 * never runs a module worker: measured with the CPU busy, 1 page load in 5 to 10 left the
 * kernel's worker silent for good, while a worker created again from the same page ran at once.
 */

/**
 * How long a healthy worker may take to run its first line. Measured: 0.1 s on a quiet machine,
 * at most 0.7 s with the CPU busy.
 */
export const SILENT_WORKER_MS = 5000;

interface IFirstWord {
  created: number;
  spoken: boolean;
}

const watched = new WeakMap<Worker, IFirstWord>();

/** A new kernel worker of script `url`, watched for its first word. */
export function createWorker(url: string | URL): Worker {
  const worker = new Worker(url, { type: 'module' });
  const record: IFirstWord = { created: performance.now(), spoken: false };
  watched.set(worker, record);
  worker.addEventListener('message', () => (record.spoken = true), { once: true });
  return worker;
}

/**
 * How many ms from now `worker` (made by createWorker) must have spoken by, or it never ran;
 * null once it has spoken, or if it is not watched.
 */
export function silentDeadline(worker: Worker): number | null {
  const record = watched.get(worker);
  if (!record || record.spoken) {
    return null;
  }
  return Math.max(0, record.created + SILENT_WORKER_MS - performance.now());
}
