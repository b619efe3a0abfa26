/**
 * A first visit's reload, started before JupyterLab's code loads. The package's JupyterLite
 * addon (tour_kernel_extension/addon.py) writes this script at the top of each app page's
 * <head>, with the service worker's URL as upstream's manager will register it
 * (`data-service-worker`). It registers the site's service worker and reloads as soon as that
 * controls the page: the reloaded page is cross-origin isolated (./tour-service-worker.ts).
 * Without it the reload waited for JupyterLab's front end to start its plugins
 * (../isolation.ts, which still does the reload where this script did not: an older site's
 * worker in control, say), about 1 s more on each first visit.
 *
 * A classic script, inlined: built by esbuild (scripts/build-workers.mjs).
 */
import { RELOADED_KEY, RELOADING, isolationStep } from './isolation';

function reloadWhenControlled(container: ServiceWorkerContainer, workerUrl: string): void {
  const wanted = new URL(workerUrl).pathname;
  const reload = () => {
    const controller = container.controller;
    if (controller && new URL(controller.scriptURL).pathname === wanted) {
      container.removeEventListener('controllerchange', reload);
      sessionStorage.setItem(RELOADED_KEY, RELOADING);
      location.reload();
    }
  };
  container.addEventListener('controllerchange', reload);
}

function start(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const worker = script?.dataset.serviceWorker;
  const container = navigator.serviceWorker;
  const reloadedBefore = sessionStorage.getItem(RELOADED_KEY) === RELOADING;
  if (
    !worker ||
    isolationStep(crossOriginIsolated, !!container, reloadedBefore) !== 'reload' ||
    container.controller // a worker of an older site: the plugin replaces it (../isolation.ts)
  ) {
    return;
  }
  const workerUrl = new URL(worker, location.href).href;
  reloadWhenControlled(container, workerUrl);
  container.register(workerUrl).catch((error) => {
    console.warn('The site could not register its service worker', error);
  });
}

try {
  start();
} catch (error) {
  // storage refused (some privacy settings): the page works, not isolated
  console.warn('The page cannot become cross-origin isolated', error);
}
