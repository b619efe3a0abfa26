/**
 * JupyterLite's in-browser kernel client, with Interrupt that reaches the running cell.
 *
 * Upstream's `interrupt` (JupyterLite 0.8) cancels only the cells queued behind the running one
 * (jupyterlite issue 459). Here the site's kernel is asked first to interrupt Python itself
 * (TourKernel.interrupt: Pyodide's interrupt buffer); where it cannot (no SharedArrayBuffer:
 * service workers blocked, or WebKitGTK), the learner is told so and pointed to Restart.
 */
import { Notification } from '@jupyterlab/apputils';
import type { ServiceManagerPlugin } from '@jupyterlab/services';
import { IServerSettings } from '@jupyterlab/services';
import { IKernelClient, IKernelSpecs, LiteKernelClient } from '@jupyterlite/services';

import { TourKernel } from './kernel';

/** Upstream's plugin, which the site disables (overrides/jupyter-lite.json). */
export const UPSTREAM_PLUGIN_ID = '@jupyterlite/services-extension:kernel-client';

/**
 * What the learner reads when Interrupt cannot stop the running cell on this page. Short: a
 * toast shows 140 characters.
 */
export const NO_INTERRUPT_HERE =
  'Interrupt needs shared memory, which this window does not give the page. ' +
  'Use Kernel > Restart Kernel… (variables are lost).';

export class TourKernelClient extends LiteKernelClient {
  async interrupt(kernelId: string): Promise<void> {
    const kernel = await this.getModel(kernelId);
    if (kernel instanceof TourKernel && kernel.interrupt() === 'unavailable') {
      Notification.warning(NO_INTERRUPT_HERE, { autoClose: false });
    }
    return super.interrupt(kernelId);
  }
}

export const kernelClientPlugin: ServiceManagerPlugin<IKernelClient> = {
  id: '@python-in-the-browser/tour-kernel:kernel-client',
  description: 'The in-browser kernel client, with an Interrupt that stops the running cell',
  autoStart: true,
  requires: [IKernelSpecs],
  optional: [IServerSettings],
  provides: IKernelClient,
  activate: (_: null, kernelSpecs: IKernelSpecs, serverSettings: any) =>
    new TourKernelClient({ kernelSpecs, serverSettings: serverSettings ?? undefined }),
};
