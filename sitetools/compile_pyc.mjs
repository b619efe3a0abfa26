// Add CPython bytecode for the modules the site imports first, compiled by the vendored Pyodide.
//
//   node sitetools/compile_pyc.mjs PYODIDE_DIR OUT_DIR "IMPORT STATEMENT" ...
//
// The official Pyodide 314 wheels and python_stdlib.zip hold .py files only, so every import in
// the browser compiles source first, on every start (bench/RESULTS.md: what this gains and costs).
// Bytecode must come from the runtime's own Python version, so the vendored runtime makes
// it, here in Node: it loads every package of PYODIDE_DIR/pyodide-lock.json, runs
// the import statements, and for each module those imports loaded writes a .pyc in "unchecked
// hash" mode (used as is, without the source mtime a freshly unpacked wheel does not keep):
//   * in a wheel: PKG/__pycache__/MOD.cpython-3XX.pyc next to the .py, listed in RECORD;
//   * in python_stdlib.zip: MOD.pyc next to MOD.py, where zipimport looks for it.
// Only imported modules are compiled. The .py files stay: tracebacks, `??` and jedi still read the source. Rewritten files go to OUT_DIR
// under the same names.
import { fileURLToPath, pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
import path from "node:path";

const [pyodideDir, outDir, ...imports] = process.argv.slice(2);
if (!imports.length) {
  console.error('usage: node compile_pyc.mjs PYODIDE_DIR OUT_DIR "import x" ...');
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/" });
const lock = JSON.parse(readFileSync(path.join(pyodideDir, "pyodide-lock.json"), "utf8"));
await pyodide.loadPackage(Object.keys(lock.packages), { messageCallback: () => {} });
for (const statement of imports) {
  try {
    await pyodide.runPythonAsync(statement);
  } catch (err) {  // e.g. a package installed at run time with %pip: nothing to compile here
    console.error(`[pyc] not compiled, ${statement} failed: ${String(err).trim().split("\n").pop()}`);
  }
}

const scripts = path.dirname(fileURLToPath(import.meta.url));  // a path with spaces stays whole
for (const [mount, dir] of [["/vendored", pyodideDir], ["/out", outDir], ["/scripts", scripts]]) {
  pyodide.FS.mkdirTree(mount);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: path.resolve(dir) }, mount);
}
pyodide.globals.set("WHEELS", pyodide.toPy(Object.values(lock.packages).map((p) => p.file_name)));
await pyodide.runPythonAsync(`
import importlib.util, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

sys.path.insert(0, "/scripts")
from wheel_zip import with_record, write_zip

SITE = next(p for p in sys.path if p.endswith("site-packages")) + "/"  # /lib/python3.XX/site-packages
STDLIB = next(p for p in sys.path if p.endswith(".zip")) + "/"  # /lib/python3XX.zip
imported = {m.__file__ for m in list(sys.modules.values())
            if isinstance(getattr(m, "__file__", None), str) and m.__file__.endswith(".py")}

def pyc(member, data):
    code = compile(data, member, "exec", dont_inherit=True)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))

def rewrite(src, dest, prefix, pyc_path):
    with zipfile.ZipFile(src) as z:
        files = {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
    added = {pyc_path(m): pyc(m, d) for m, d in files.items() if prefix + m in imported}
    if not added:
        return 0
    files = dict(sorted({**files, **added}.items()))
    record = next((f for f in files if f.endswith(".dist-info/RECORD")), None)
    write_zip(dest, with_record(files, record) if record else files)
    return len(added)

n = rewrite("/vendored/python_stdlib.zip", "/out/python_stdlib.zip", STDLIB, lambda m: m + "c")
print(f"[pyc] python_stdlib.zip: {n} modules")
for name in WHEELS:
    n = rewrite(f"/vendored/{name}", f"/out/{name}", SITE, importlib.util.cache_from_source)
    if n:
        print(f"[pyc] {name}: {n} modules")
`);
