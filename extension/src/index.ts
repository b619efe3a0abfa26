/**
 * The tutorial site's Python kernel, registered in place of upstream's (which the site disables
 * in overrides/jupyter-lite.json): the same kernel spec and settings, the site's run-time
 * behaviour (see kernel.ts and worker/remote.ts). With it, in place of two more of upstream's
 * plugins: the kernel client whose Interrupt reaches the running cell (kernel-client.ts), and
 * the service-worker manager that makes the page cross-origin isolated (isolation.ts).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { ILogPayload } from '@jupyterlab/logconsole';
import { ILoggerRegistry } from '@jupyterlab/logconsole';
import { IServiceWorkerManager } from '@jupyterlite/apputils';
import type { IKernel } from '@jupyterlite/services';
import { IKernelSpecs } from '@jupyterlite/services';

import { BootedWorkers } from './booted-workers';
import { serviceWorkerPlugin } from './isolation';
import { TourKernel, workerUrl } from './kernel';
import { kernelClientPlugin } from './kernel-client';
import lessonVersionsPlugin from './lesson-versions';
import { type IKernelSettings, PLUGIN_ID, indexUrlOf, kernelSettings } from './settings';
import { KernelStartRule } from './start-rule';
import { narrowScreenPlugin } from './narrow-screen';
import { stoppedNotice } from './worker/stops';
import KERNEL_ICON_SVG from '../style/img/pyodide.svg';

const KERNEL_ICON_URL = `data:image/svg+xml;base64,${btoa(KERNEL_ICON_SVG)}`;
/**
 * Python booted ahead: the first while JupyterLab's front end is still loading, the next ones
 * while the learner reads (booted-workers.ts); null if the site turned early boots off.
 */
function bootedWorkers(settings: IKernelSettings): BootedWorkers | null {
  if (!settings.earlyBoot) {
    return null;
  }
  const request = {
    pyodideUrl: settings.pyodideUrl,
    indexUrl: indexUrlOf(settings.pyodideUrl),
    loadPyodideOptions: settings.loadPyodideOptions,
    gzipped: settings.gzipped,
  };
  return new BootedWorkers(workerUrl().href, request, settings.spareBoot);
}

/**
 * Whether /drive can be mounted: a service worker carries it. Upstream reads
 * `serviceWorkerManager.enabled` when the kernel is created, which is false until the
 * manager's registration has finished: kernels created early in a page load (restored tabs)
 * started without /drive (issue 19). A page the service worker already controls (every visit
 * after the first) has it now; on a first visit the kernel waits for the registration to
 * settle. (Waiting on a controlled page too cost about 5 s on a warm start, measured.)
 */
async function serviceWorkerReady(manager: IServiceWorkerManager | null): Promise<boolean> {
  if (!manager || !('serviceWorker' in navigator)) {
    return false; // the manager's `ready` never settles without a ServiceWorkerContainer
  }
  if (navigator.serviceWorker.controller) {
    return true;
  }
  try {
    await manager.ready;
    return true;
  } catch {
    return false;
  }
}

/**
 * Python stopped for good: restart the kernel as Jupyter's server restarts a kernel that
 * died, through the notebook's own session (what Kernel > Restart does, without the dialog).
 */
async function restartStoppedKernel(
  app: JupyterFrontEnd,
  kernelId: string,
  cause: string,
  duringCell: boolean,
): Promise<void> {
  if (!duringCell) {
    // No cell shows the error: say it where the learner looks.
    Notification.warning(stoppedNotice(cause), { autoClose: false });
  }
  for (const widget of app.shell.widgets('main')) {
    const sessionContext = (widget as any).sessionContext;
    if (sessionContext?.session?.kernel?.id === kernelId) {
      await sessionContext.restartKernel();
      return;
    }
  }
  const connection = app.serviceManager.kernels.connectTo({
    model: { id: kernelId, name: 'python' },
  });
  await connection.restart();
  connection.dispose();
}

const kernelPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: "The tutorial site's Pyodide kernel",
  autoStart: true,
  requires: [IKernelSpecs],
  optional: [IServiceWorkerManager, ILoggerRegistry],
  activate: (
    app: JupyterFrontEnd,
    kernelspecs: IKernelSpecs,
    serviceWorkerManager: IServiceWorkerManager | null,
    loggerRegistry: ILoggerRegistry | null,
  ) => {
    const settings = kernelSettings();
    const booted = bootedWorkers(settings);
    const startRule = new KernelStartRule(app);
    const { contents: contentsManager, sessions } = app.serviceManager;

    // Messages of the kernel go to the log console of the notebook using it (as upstream).
    const logger = ({ payload, kernelId }: { payload: ILogPayload; kernelId: string }) => {
      const session = [...sessions.running()].find((s) => s.kernel?.id === kernelId);
      loggerRegistry?.getLogger(session?.path ?? '').log(payload);
    };

    kernelspecs.register({
      spec: {
        name: 'python',
        display_name: 'Python (Pyodide)',
        language: 'python',
        argv: [],
        resources: { 'logo-32x32': KERNEL_ICON_URL, 'logo-64x64': KERNEL_ICON_URL },
      },
      create: async (options: IKernel.IOptions): Promise<IKernel> => {
        const mountDrive = await serviceWorkerReady(serviceWorkerManager);
        if (!mountDrive) {
          console.warn('No service worker: /drive is not mounted, input() cannot be answered');
        }
        return new TourKernel({
          ...options,
          ...settings,
          mountDrive,
          contentsManager,
          browsingContextId: serviceWorkerManager?.browsingContextId,
          logger,
          takeBootedWorker: (url) => booted?.take(url) ?? null,
          onReady: () => booted?.kernelReady(),
          whenWanted: (kernelId) => startRule.whenWanted(kernelId),
          onRuntimeStopped: (kernelId, cause, duringCell) =>
            void restartStoppedKernel(app, kernelId, cause, duringCell).catch(console.error),
        });
      },
    });
  },
};

export default [
  kernelPlugin,
  kernelClientPlugin,
  serviceWorkerPlugin,
  narrowScreenPlugin,
  lessonVersionsPlugin,
];
