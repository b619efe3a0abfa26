// Bundle the kernel's Web Worker from source, as upstream bundles its own (esbuild, one
// self-contained ES module); tour_kernel.py goes in as text. The kernel's labextension build
// then emits it as a plain file (webpack.config.cjs).
// The site's service worker is a classic script (it imports upstream's with importScripts): it
// goes into the Python package, whose JupyterLite addon puts it at the site's root.
import { build } from 'esbuild';

const common = {
  bundle: true,
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['src/worker/comlink.worker.ts'],
  outfile: 'lib/tour-comlink.worker.js',
  format: 'esm',
  loader: { '.py': 'text' },
});

await build({
  ...common,
  entryPoints: ['src/service-worker/tour-service-worker.ts'],
  outfile: 'tour_kernel_extension/tour-service-worker.js',
  format: 'iife',
  minify: false,
});
