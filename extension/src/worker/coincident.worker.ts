/**
 * The kernel's worker on a cross-origin isolated page: coincident carries the requests, and
 * /drive and input() go over Atomics.wait on a SharedArrayBuffer, not the service worker.
 *
 * Upstream's own entry (coincident.worker.ts in @jupyterlite/pyodide-kernel) creates its kernel
 * when imported, so it cannot be subclassed; its hooks are repeated here.
 */
import coincident from 'coincident';

import type {
  TDriveMethod,
  TDriveRequest,
  TDriveResponse,
} from '@jupyterlite/services/lib/contents/drivefs';
import { ContentsAPI, DriveFS } from '@jupyterlite/services/lib/contents/drivefs';
import type {
  ICoincidentPyodideWorkerKernel,
  IPyodideWorkerKernel,
} from '@jupyterlite/pyodide-kernel/lib/tokens';

import { EarlyBoot } from './early-boot';
import { TourRemoteKernel } from './remote';

const earlyBoot = new EarlyBoot();
earlyBoot.listen(); // before coincident's own listener
const workerAPI = coincident(self) as ICoincidentPyodideWorkerKernel;

/** The drive's requests, answered synchronously by the page through SharedArrayBuffers. */
class SharedBufferContentsAPI extends ContentsAPI {
  request<T extends TDriveMethod>(data: TDriveRequest<T>): TDriveResponse<T> {
    return workerAPI.processDriveRequest(data);
  }
}

class SharedBufferDriveFS extends DriveFS {
  createAPI(options: DriveFS.IOptions): ContentsAPI {
    return new SharedBufferContentsAPI(options);
  }
}

class TourCoincidentKernel extends TourRemoteKernel {
  protected async initFilesystem(options: IPyodideWorkerKernel.IOptions): Promise<void> {
    if (!options.mountDrive) {
      return;
    }
    const mountpoint = '/drive';
    const { FS, PATH, ERRNO_CODES } = this._pyodide;
    const driveFS = new SharedBufferDriveFS({
      FS: FS as any,
      PATH,
      ERRNO_CODES,
      baseUrl: options.baseUrl,
      driveName: this._driveName,
      mountpoint,
    });
    FS.mkdirTree(mountpoint);
    FS.mount(driveFS, {}, mountpoint);
    FS.chdir(mountpoint);
    this._driveFS = driveFS;
  }

  protected sendInputRequest(prompt: string, password: boolean): string | undefined {
    return workerAPI.processStdinRequest({ prompt, password });
  }
}

const kernel = new TourCoincidentKernel(earlyBoot);
kernel.registerWorkerMessageCallback(workerAPI.processWorkerMessage.bind(workerAPI));
kernel.registerLogMessageCallback(workerAPI.processLogMessage.bind(workerAPI));
const api = workerAPI as unknown as Record<string, unknown>;
for (const name of [
  'initialize',
  'execute',
  'complete',
  'inspect',
  'isComplete',
  'commInfo',
  'commOpen',
  'commMsg',
  'commClose',
  'inputReply',
] as const) {
  api[name] = kernel[name].bind(kernel);
}
