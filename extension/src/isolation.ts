/**
 * The site's service worker in place of upstream's, and the one reload that makes the page
 * cross-origin isolated: JupyterLite's own service-worker manager, given the site's worker
 * (service-worker/tour-service-worker.ts: upstream's, whose responses carry COOP/COEP).
 *
 * On a first visit the page was served without those headers: once the service worker
 * controls it, the page reloads, once per tab (sessionStorage), never in a loop. Where
 * service workers are blocked (some private windows), nothing reloads and everything works as
 * on any page that is not isolated; Interrupt then says that it is not available here.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IServiceWorkerManager, ServiceWorkerManager } from '@jupyterlite/apputils';
import { IKernelClient } from '@jupyterlite/services';

import { isolationStep } from './service-worker/isolation';

/** The file the extension's JupyterLite addon puts at the site's root. */
export const SERVICE_WORKER = 'tour-service-worker.js';
/** Upstream's plugin, which the site disables (overrides/jupyter-lite.json). */
export const UPSTREAM_PLUGIN_ID = '@jupyterlite/application-extension:service-worker-manager';
/** In this tab's sessionStorage from the reload until the page is isolated. */
export const RELOADED_KEY = '@python-in-the-browser/tour-kernel:isolation-reload';

/**
 * Reload once if this page can be isolated and is not. sessionStorage remembers a reload under
 * way: a page isolated after it clears the note; a page still not isolated after it keeps the
 * note and gives up for this tab (the reload did not help: no loop).
 */
async function reloadUntilIsolated(workerUrl: string): Promise<void> {
  const container = navigator.serviceWorker;
  const step = isolationStep(
    crossOriginIsolated,
    !!container,
    sessionStorage.getItem(RELOADED_KEY) !== null,
  );
  if (step === 'isolated') {
    sessionStorage.removeItem(RELOADED_KEY);
  } else if (step === 'reloaded once already') {
    console.warn('The page is not cross-origin isolated after a reload: Interrupt is off');
  } else if (step === 'reload') {
    await controlledBy(container, workerUrl);
    sessionStorage.setItem(RELOADED_KEY, new Date().toISOString());
    location.reload();
  }
}

/**
 * Resolves when the site's worker controls the page. A returning learner may still have
 * upstream's worker from an older version of the site: the site's replaces it.
 */
async function controlledBy(container: ServiceWorkerContainer, workerUrl: string): Promise<void> {
  const ours = () => new URL(container.controller?.scriptURL ?? '/', location.href).pathname;
  const wanted = new URL(workerUrl).pathname;
  if (container.controller && ours() !== wanted) {
    await container.register(workerUrl);
  }
  await new Promise<void>((resolve) => {
    const check = () => {
      if (ours() === wanted) {
        container.removeEventListener('controllerchange', check);
        resolve();
      }
    };
    container.addEventListener('controllerchange', check);
    check();
  });
}

export const serviceWorkerPlugin: JupyterFrontEndPlugin<IServiceWorkerManager> = {
  id: '@python-in-the-browser/tour-kernel:service-worker-manager',
  description: "JupyterLite's service-worker manager with the site's (isolating) service worker",
  autoStart: true,
  provides: IServiceWorkerManager,
  optional: [IKernelClient],
  activate: (app: JupyterFrontEnd, kernelClient: IKernelClient | null) => {
    const workerUrl = new URL(URLExt.join(PageConfig.getBaseUrl(), SERVICE_WORKER), location.href)
      .href;
    const manager = new ServiceWorkerManager({ contents: app.serviceManager.contents, workerUrl });
    if (kernelClient) {
      manager.registerStdinHandler('kernel', kernelClient.handleStdin.bind(kernelClient));
    }
    void manager.ready.then(() => reloadUntilIsolated(workerUrl)).catch(() => undefined); // no service worker: the manager has said so in the console
    return manager;
  },
};
