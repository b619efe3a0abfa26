/**
 * The kernel's settings, read where upstream's plugin reads them (jupyter-lite.json's
 * litePluginSettings, written by `jupyter lite build` and overrides/jupyter-lite.json), so the
 * build's own addons (PyodideAddon, PipliteAddon) keep working unchanged.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';

/** Upstream's plugin id: its settings key, and the plugin the site disables. */
export const UPSTREAM_PLUGIN_ID = '@jupyterlite/pyodide-kernel-extension:kernel';
/** This extension's kernel plugin; its settings hold what upstream has no key for. */
export const PLUGIN_ID = '@python-in-the-browser/tour-kernel:kernel';

export interface IKernelSettings {
  pyodideUrl: string;
  pipliteWheelUrl?: string;
  pipliteUrls: string[];
  disablePyPIFallback: boolean;
  loadPyodideOptions: Record<string, any> & { lockFileURL: string; packages: string[] };
  gzipped: string[];
  /** Whether Python boots while the page loads (on by default; bench/levers.py turns it off). */
  earlyBoot: boolean;
  /** Whether the next Python boots ahead once a kernel is ready (booted-workers.ts; on by default). */
  spareBoot: boolean;
  /** How long a boot may go without progress before a new worker takes it (kernel.ts's default). */
  stalledBootMs?: number;
}

/** The settings of this page; an Error that says what to do if the site names no Pyodide. */
export function kernelSettings(): IKernelSettings {
  const all = JSON.parse(PageConfig.getOption('litePluginSettings') || '{}');
  const config = all[UPSTREAM_PLUGIN_ID] ?? {};
  const ours = all[PLUGIN_ID] ?? {};
  if (!config.pyodideUrl) {
    // Upstream falls back to a CDN here; this site works offline or not at all.
    throw new Error(
      `jupyter-lite.json names no pyodideUrl under ${UPSTREAM_PLUGIN_ID}: rebuild the site ` +
        '(jupyter lite build) so that it serves its own Pyodide.',
    );
  }
  const baseUrl = PageConfig.getBaseUrl();
  const loadPyodideOptions = { ...(config.loadPyodideOptions ?? {}) };
  for (const [key, value] of Object.entries(loadPyodideOptions)) {
    if (key.endsWith('URL') && typeof value === 'string') {
      loadPyodideOptions[key] = new URL(value, baseUrl).href;
    }
  }
  return {
    pyodideUrl: URLExt.parse(config.pyodideUrl).href,
    pipliteWheelUrl: config.pipliteWheelUrl ? URLExt.parse(config.pipliteWheelUrl).href : undefined,
    pipliteUrls: (config.pipliteUrls ?? []).map((url: string) => URLExt.parse(url).href),
    disablePyPIFallback: !!config.disablePyPIFallback,
    loadPyodideOptions,
    gzipped: ours.gzipped ?? [],
    earlyBoot: ours.earlyBoot ?? true,
    spareBoot: ours.spareBoot ?? true,
    stalledBootMs: ours.stalledBootMs,
  };
}

/** The folder of pyodide.mjs, as upstream's kernel derives it (its initRemoteOptions). */
export function indexUrlOf(pyodideUrl: string): string {
  return pyodideUrl.slice(0, pyodideUrl.lastIndexOf('/') + 1);
}
