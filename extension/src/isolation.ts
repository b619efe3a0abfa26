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
/** This tab's sessionStorage: RELOADING from the reload until the page is isolated, then
 * ISOLATED_BY_RELOAD (the browser tests read it: WebKit reports a reload as a navigation). */
export const RELOADED_KEY = '@python-in-the-browser/tour-kernel:isolation-reload';
const RELOADING = 'reloading';
const ISOLATED_BY_RELOAD = 'isolated after one reload';

/**
 * Reload once if this page can be isolated and is not. sessionStorage remembers a reload under
 * way: a page isolated after it says so; a page still not isolated after it gives up for this
 * tab (the reload did not help: no loop).
 */
async function reloadUntilIsolated(workerUrl: string): Promise<void> {
  const container = navigator.serviceWorker;
  const step = isolationStep(
    crossOriginIsolated,
    !!container,
    sessionStorage.getItem(RELOADED_KEY) === RELOADING,
  );
  if (step === 'isolated') {
    if (sessionStorage.getItem(RELOADED_KEY) === RELOADING) {
      sessionStorage.setItem(RELOADED_KEY, ISOLATED_BY_RELOAD);
    }
  } else if (step === 'reloaded once already') {
    console.warn('The page is not cross-origin isolated after a reload: Interrupt is off');
  } else if (step === 'reload') {
    await controlledBy(container, workerUrl);
    rememberWorkerVersion(container);
    sessionStorage.setItem(RELOADED_KEY, RELOADING);
    location.reload();
  }
}

/**
 * What upstream's manager records once a worker controls a page (localStorage, `<script
 * URL>-version`), recorded before the reload: without it, the reloaded page's manager took the
 * worker for an old version's, unregistered it and registered it again; a kernel worker started
 * meanwhile in WebKitGTK never loaded (kernel "unknown" forever, measured).
 */
function rememberWorkerVersion(container: ServiceWorkerContainer): void {
  const scriptUrl = container.controller?.scriptURL;
  if (scriptUrl) {
    localStorage.setItem(`${scriptUrl}-version`, PageConfig.getOption('appVersion'));
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
