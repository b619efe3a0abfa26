/**
 * Fetch the interpreter gzipped: the build writes `pyodide.asm.wasm.gz` beside the file
 * (sitetools/precompress.py), and this worker asks for the `.gz` and unpacks it with the
 * browser's DecompressionStream, so any static host sends a third of the bytes. Falls back to
 * the plain file when the `.gz` is missing or the browser cannot unpack.
 */
import { bootStep, fileName } from './boot-steps.js'; // .js: the Node tests import this file

const CONTENT_TYPES: Record<string, string> = {
  wasm: 'application/wasm',
  json: 'application/json',
  zip: 'application/zip',
};

/** The URL of the gzipped copy to ask for, or null to fetch `url` as it is. */
export function gzippedUrl(url: URL, gzipped: ReadonlySet<string>): URL | null {
  if (!gzipped.has(fileName(url.href))) {
    return null;
  }
  const packed = new URL(url.href);
  packed.pathname += '.gz';
  return packed;
}

/** The content type a file of this name is served with once unpacked. */
export function contentType(name: string): string {
  return CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}

let installed = false;

/**
 * Replace the worker's `fetch` by one that takes the gzipped copies of `names`, once: a worker
 * booted ahead installs it, and the kernel that takes the worker asks again.
 */
export function fetchGzipped(names: string[]): void {
  if (installed || typeof DecompressionStream !== 'function') {
    return;
  }
  installed = true;
  const gzipped = new Set(names);
  const plainFetch = self.fetch.bind(self);
  self.fetch = async (resource: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const href = resource instanceof Request ? resource.url : String(resource);
    const packedUrl = gzippedUrl(new URL(href, self.location.href), gzipped);
    // A request with an integrity check must get the very bytes it names.
    if (!packedUrl || init?.integrity) {
      return plainFetch(resource, init);
    }
    const packed = await plainFetch(packedUrl.href, { credentials: init?.credentials });
    if (!packed.ok || !packed.body) {
      return plainFetch(resource, init);
    }
    const name = fileName(packedUrl.href);
    const unpacked = packed.body
      .pipeThrough(new DecompressionStream('gzip'))
      .pipeThrough(new TransformStream({ flush: () => bootStep(`unpacked ${name}`) }));
    return new Response(unpacked, {
      status: 200,
      headers: { 'Content-Type': contentType(packedUrl.pathname.slice(0, -3)) },
    });
  };
}
