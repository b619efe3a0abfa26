/**
 * An early boot: the page starts the kernel's worker while JupyterLab's front end is still
 * loading and posts it an early-boot request; Pyodide then boots, and imports the kernel's
 * Python side, while the page gets ready. The first kernel's `initialize()` takes that runtime
 * if it asks for the same files and options; otherwise it boots its own, as upstream does.
 */
import type { PyodideAPI } from 'pyodide';

import { importModule } from '@jupyterlite/pyodide-kernel/lib/loader';

import { bootStep } from './boot-steps';
import { fetchGzipped } from './gzip-fetch';
import TOUR_KERNEL_PY from './tour_kernel.py';

/** What the kernel imports: upstream's Python side, its package manager's, the site's. */
export const KERNEL_IMPORTS = 'import pyodide_kernel, piplite.piplite, tour_kernel';

/** The site's changes to the kernel's Python side, put where the kernel imports them from. */
export function writeTourKernel(pyodide: PyodideAPI): void {
  const sitePackages = pyodide.runPython('import sysconfig; sysconfig.get_path("purelib")');
  pyodide.FS.writeFile(`${sitePackages}/tour_kernel.py`, TOUR_KERNEL_PY);
}

/** The key of the message the page posts to start an early boot. */
export const EARLY_BOOT_MESSAGE = '_tourEarlyBoot';

/** What the page asks the early boot to load: the same as the kernel's options would. */
export interface IEarlyBootRequest {
  pyodideUrl: string;
  indexUrl: string;
  loadPyodideOptions: Record<string, unknown>;
  gzipped: string[];
}

/** Where Python's output goes while the runtime has no kernel yet, and once it has one. */
export interface IOutputSink {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Whether a kernel asking for `options` can take a runtime booted for `request`. */
export function sameRuntime(
  request: IEarlyBootRequest,
  options: Pick<IEarlyBootRequest, 'pyodideUrl' | 'indexUrl'> & {
    loadPyodideOptions?: Record<string, unknown>;
  },
): boolean {
  return (
    request.pyodideUrl === options.pyodideUrl &&
    request.indexUrl === options.indexUrl &&
    JSON.stringify(request.loadPyodideOptions) === JSON.stringify(options.loadPyodideOptions ?? {})
  );
}

/** What happened to the early boot, for anyone who asks (`js.siteEarlyBoot` in a cell). */
function report(status: string): void {
  (self as unknown as { siteEarlyBoot: string }).siteEarlyBoot = status;
}

export class EarlyBoot {
  /** Start listening for the page's request; call before the RPC layer listens. */
  listen(): void {
    report('none');
    self.addEventListener('message', (event: MessageEvent) => {
      const request = event.data?.[EARLY_BOOT_MESSAGE] as IEarlyBootRequest | undefined;
      if (request) {
        event.stopImmediatePropagation(); // not a message for the kernel's RPC layer
        this.start(request);
      }
    });
  }

  /**
   * The runtime booted early, if it was booted for what `options` asks; else null, and the
   * kernel boots its own. Python's output goes to `output` from now on.
   */
  async take(
    options: Parameters<typeof sameRuntime>[1],
    output: IOutputSink,
  ): Promise<PyodideAPI | null> {
    const { request, booting } = this;
    this.booting = null;
    if (!request || !booting) {
      return null;
    }
    if (!sameRuntime(request, options)) {
      report('not used: the kernel asked for other files or options');
      return null;
    }
    this.output = output;
    try {
      const pyodide = await booting;
      report('used');
      return pyodide;
    } catch {
      report('failed: the kernel booted its own');
      return null;
    }
  }

  private start(request: IEarlyBootRequest): void {
    if (this.request) {
      return;
    }
    this.request = request;
    bootStep('booting ahead');
    fetchGzipped(request.gzipped);
    this.booting = (async () => {
      const { loadPyodide } = await importModule<typeof import('pyodide')>(request.pyodideUrl);
      bootStep('booting ahead: pyodide.mjs imported');
      const pyodide = await loadPyodide({
        indexURL: request.indexUrl,
        stdout: (text: string) => this.output.stdout(text),
        stderr: (text: string) => this.output.stderr(text),
        ...request.loadPyodideOptions,
      });
      // The kernel's imports (its IPython shell: most of its start-up), here, before /drive is
      // the working directory: each first import after that looks for the module in /drive
      // first, through the service worker (0.3 to 0.5 s of a booted-ahead kernel's start).
      bootStep('booting ahead: Pyodide loaded');
      writeTourKernel(pyodide);
      await pyodide.runPythonAsync(KERNEL_IMPORTS);
      bootStep('booting ahead: done');
      return pyodide;
    })();
    this.booting.catch((error) => {
      bootStep(`booting ahead failed: ${error}`);
      console.warn('The early Pyodide boot failed; the kernel boots its own', error);
    });
  }

  private request: IEarlyBootRequest | null = null;
  private booting: Promise<PyodideAPI> | null = null;
  private output: IOutputSink = {
    stdout: (text) => console.log(text),
    stderr: (text) => console.error(text),
  };
}
