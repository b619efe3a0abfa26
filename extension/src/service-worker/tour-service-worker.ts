/**
 * The site's service worker: JupyterLite's own (`service-worker.js`, imported unchanged, with
 * its /drive and input() bridge), whose responses from the site also carry COOP and COEP
 * headers, as coi-serviceworker does for static hosts that send no such headers (jupyterlite
 * issue 1409). A page served this way is cross-origin isolated: it has SharedArrayBuffer,
 * which Pyodide's interrupt buffer needs (Kernel > Interrupt, kernel.ts). The page reloads
 * once when this worker first controls it (isolation.ts in the page's plugins).
 *
 * A classic script (importScripts), built by esbuild (scripts/build-workers.mjs) and placed at
 * the site's root by the package's JupyterLite addon (tour_kernel_extension/addon.py): a
 * service worker controls only the pages under its own folder.
 */
import { isolates, withIsolationHeaders } from './isolation';

interface IFetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

type Listener = (event: Event) => unknown;

interface IServiceWorkerScope {
  location: Location;
  addEventListener(type: string, listener: Listener, options?: unknown): void;
}

declare const self: IServiceWorkerScope;
declare function importScripts(...urls: string[]): void;

/** The event as upstream's fetch listener sees it: its answer gets the isolation headers. */
function isolating(event: IFetchEvent): IFetchEvent {
  const respondWith = (response: Response | Promise<Response>) =>
    event.respondWith(
      Promise.resolve(response).then((answer) =>
        isolates(event.request.url, self.location.origin, answer.status)
          ? withIsolationHeaders(answer)
          : answer,
      ),
    );
  return new Proxy(event, {
    get(target, key) {
      if (key === 'respondWith') {
        return respondWith;
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// Upstream's worker adds its listeners when imported: its fetch listener gets the event above.
const addEventListener = self.addEventListener.bind(self);
self.addEventListener = (type: string, listener: Listener, options?: unknown) =>
  addEventListener(
    type,
    type === 'fetch' ? (event) => listener(isolating(event as IFetchEvent)) : listener,
    options,
  );

importScripts('./service-worker.js');
