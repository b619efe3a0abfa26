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
import type { IPyodideWorkerKernel } from '@jupyterlite/pyodide-kernel/lib/tokens';

import { bootStep, watchBootFetches } from './boot-steps';
import { DriveWriteBack, listenForFlushAnswers } from './drive-cache';
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
    // upstream's DriveFS, writing back at the end of each cell (drive-cache.ts)
    this._drive = new DriveWriteBack(
      {
        FS: FS as any,
        PATH,
        ERRNO_CODES,
        baseUrl,
        driveName: this._driveName,
        mountpoint,
        browsingContextId,
      },
      (message) => this._logMessage({ type: 'text', level: 'critical', data: message }),
    );
    const driveFS = this._drive.fs;
    FS.mkdirTree(mountpoint);
    FS.mount(driveFS, {}, mountpoint);
    FS.chdir(mountpoint);
    this._driveFS = driveFS;
  }

  /** A cell, then what it changed under /drive sent to the browser's storage, before its reply. */
  async execute(content: any, parent: any): Promise<any> {
    if (!this._drive) {
      return super.execute(content, parent);
    }
    return this._drive.cell(
      () => super.execute(content, parent),
      (bundle) =>
        this._sendWorkerMessage({ parentHeader: parent?.header, bundle, type: 'execute_error' }),
    );
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

  private _drive: DriveWriteBack | null = null;
}

bootStep('worker script running');
watchBootFetches();
const earlyBoot = new EarlyBoot();
earlyBoot.listen();
listenForFlushAnswers();
expose(new TourComlinkKernel(earlyBoot));
