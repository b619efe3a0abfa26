/**
 * The page's half of /drive's write-back (worker/drive-cache.ts): the worker sends the changes
 * a cell made under /drive in one message; they are applied here, in order, with upstream's
 * DriveContentsProcessor (the code that answers upstream's one-by-one drive requests), and the
 * worker is told which failed, so that the cell can say so.
 */
import type { Contents } from '@jupyterlab/services';
import { DriveContentsProcessor } from '@jupyterlite/services';

/** The keys of the messages of a flush (worker/drive-cache.ts). */
export const DRIVE_FLUSH_MESSAGE = '_tourDriveFlush';
export const DRIVE_FLUSHED_MESSAGE = '_tourDriveFlushed';

/** How many saves of different files go to the storage at once. */
const SAVES_AT_ONCE = 32;

interface IRequest {
  method: string;
  path: string;
}

/** Answer the flushes `worker` posts, with `contents` (the app's contents manager). */
export function answerDriveFlushes(
  worker: {
    addEventListener(type: 'message', listener: (event: Event) => void): void;
    postMessage(message: unknown): void;
  },
  contents: Contents.IManager,
): void {
  const processor = new DriveContentsProcessor({ contentsManager: contents });
  worker.addEventListener('message', (event) => {
    const flush = (event as MessageEvent).data?.[DRIVE_FLUSH_MESSAGE];
    if (!flush) {
      return;
    }
    void apply(processor, flush.requests as IRequest[]).then((failed) => {
      worker.postMessage({ [DRIVE_FLUSHED_MESSAGE]: { id: flush.id, failed } });
    });
  });
}

/**
 * Apply the requests in order; consecutive puts (different files: the worker keeps only a
 * file's last put) go together. Returns the ones that failed, with why.
 */
async function apply(
  processor: DriveContentsProcessor,
  requests: IRequest[],
): Promise<{ index: number; error: string }[]> {
  const failed: { index: number; error: string }[] = [];
  const run = async (index: number): Promise<void> => {
    try {
      await processor.processDriveRequest(requests[index] as any);
    } catch (error) {
      failed.push({ index, error: String((error as Error)?.message ?? error) });
    }
  };
  let i = 0;
  while (i < requests.length) {
    if (requests[i].method !== 'put') {
      await run(i++);
      continue;
    }
    const group: Promise<void>[] = [];
    while (i < requests.length && requests[i].method === 'put' && group.length < SAVES_AT_ONCE) {
      group.push(run(i++));
    }
    await Promise.all(group);
  }
  return failed.sort((a, b) => a.index - b.index);
}
