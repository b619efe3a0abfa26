// Bundle the kernel's two Web Workers from source, as upstream bundles its own (esbuild, one
// self-contained ES module each); tour_kernel.py goes in as text. The kernel's labextension
// build then emits them as plain files (webpack.config.cjs).
import { build } from 'esbuild';

for (const flavour of ['comlink', 'coincident']) {
  await build({
    entryPoints: [`src/worker/${flavour}.worker.ts`],
    outfile: `lib/tour-${flavour}.worker.js`,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    loader: { '.py': 'text' },
    logLevel: 'warning',
  });
}
