declare module '*.svg' {
  const value: string;
  export default value;
}

/** Python source, bundled as text by esbuild (scripts/build-workers.mjs). */
declare module '*.py' {
  const source: string;
  export default source;
}
