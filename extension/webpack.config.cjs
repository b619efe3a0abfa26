// The workers are complete ES modules built by scripts/build-workers.mjs: emitted as plain
// files, not parsed again (as upstream's pyodide-kernel-extension does). Upstream's kernel
// module brings its own workers and piplite's index along; they are emitted the same way.
module.exports = {
  optimization: {
    // as upstream: worker files hold hash-like strings (jupyterlab issue 18245)
    realContentHash: false,
  },
  module: {
    rules: [
      {
        test: /\.worker\.js$/,
        type: 'asset/resource',
        generator: { filename: '[name].[contenthash][ext]' },
      },
      {
        test: /pypi\/.*/,
        type: 'asset/resource',
        generator: { filename: 'pypi/[name][ext][query]' },
      },
      {
        test: /schema\/.*/,
        type: 'asset/resource',
        generator: { filename: 'schema/[name][ext][query]' },
      },
    ],
  },
};
