/**
 * The kernel's worker on a page that is not cross-origin isolated (a plain static host):
 * comlink carries the requests, the service worker carries /drive and input().
 *
 * Upstream's own entry (comlink.worker.ts in @jupyterlite/pyodide-kernel) creates and exposes
 * its kernel when imported, so it cannot be subclassed; its two hooks are repeated here.
 */
import { expose } from 'comlink';

import { URLExt } from '@jupyterlab/coreutils';
import { KernelMessage } from '@jupyterlab/services';
import { DriveFS } from '@jupyterlite/services/lib/contents/drivefs';
import type { IPyodideWorkerKernel } from '@jupyterlite/pyodide-kernel/lib/tokens';

import { EarlyBoot } from './early-boot';
import { TourRemoteKernel } from './remote';

class TourComlinkKernel extends TourRemoteKernel {
  constructor(earlyBoot: EarlyBoot) {
    super(earlyBoot);
    // postMessage, in a format that comlink does not process (as upstream)
    this._sendWorkerMessage = (msg: any) => postMessage({ _kernelMessage: msg });
    this._logMessage = (msg: any) => postMessage({ _logMessage: msg });
  }

  protected async initFilesystem(options: IPyodideWorkerKernel.IOptions): Promise<void> {
    if (!options.mountDrive) {
      return;
    }
    const mountpoint = '/drive';
    const { FS, PATH, ERRNO_CODES } = this._pyodide;
    const { baseUrl, browsingContextId } = options;
    const driveFS = new DriveFS({
      FS: FS as any,
      PATH,
      ERRNO_CODES,
      baseUrl,
      driveName: this._driveName,
      mountpoint,
      browsingContextId,
    });
    FS.mkdirTree(mountpoint);
    FS.mount(driveFS, {}, mountpoint);
    FS.chdir(mountpoint);
    this._driveFS = driveFS;
  }

  /** input(): a synchronous request to the service worker, which the page answers. */
  protected sendInputRequest(prompt: string, password: boolean): string | undefined {
    const parentHeader = this.formatResult(this._kernel._parent_header)['header'];
    const inputRequest = KernelMessage.createMessage<KernelMessage.IInputRequestMsg>({
      channel: 'stdin',
      msgType: 'input_request',
      session: parentHeader?.session ?? '',
      parentHeader,
      content: { prompt, password },
    });
    try {
      const { baseUrl, browsingContextId } = this._options ?? {};
      if (!baseUrl || !browsingContextId) {
        throw new Error('no service worker to carry the request');
      }
      const xhr = new XMLHttpRequest();
      xhr.open('POST', URLExt.join(baseUrl, '/api/stdin/kernel'), false);
      xhr.send(JSON.stringify({ browsingContextId, data: inputRequest }));
      const inputReply = JSON.parse(xhr.response as string);
      if ('error' in inputReply) {
        throw new Error(inputReply['error']);
      }
      return inputReply.content?.value;
    } catch (err) {
      console.warn(`Failed to request stdin via service worker: ${err}`);
      return undefined;
    }
  }
}

const earlyBoot = new EarlyBoot();
earlyBoot.listen();
expose(new TourComlinkKernel(earlyBoot));
