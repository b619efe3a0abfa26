"""Download files with the ordinary clients (npm, pip) once, and check every byte before use.

Every file has a sha256 pinned in vendor-pins.json (or in the official pyodide-lock.json, itself
pinned); a mismatch stops with an error naming the file, both hashes and what to do.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from packaging.utils import parse_wheel_filename

PINS = Path(__file__).with_name("vendor-pins.json")


class VendorError(Exception):
    """A problem the user has to act on; the message says what to do."""


def load_pins(path: Path = PINS) -> dict:
    """The pins, without the "comment" keys that explain them."""

    def drop_comments(value):
        if isinstance(value, dict):
            return {k: drop_comments(v) for k, v in value.items() if k != "comment"}
        return value

    return drop_comments(json.loads(path.read_text()))


def wheel_version(file_name: str) -> str:
    return str(parse_wheel_filename(file_name)[1])


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
    check_hash(path, pin["sha256"], "sitetools/vendor-pins.json")
    return path


def fetch_npm(downloads: Path, pin: dict) -> Path:
    cmd = ["npm", "pack", "--silent", pin["spec"], "--pack-destination", str(downloads)]
    return fetch(downloads, pin, cmd, f"npm {pin['spec']}")


def fetch_pypi(downloads: Path, pin: dict, spec: str, for_python: str | None = None) -> Path:
    """A PyPI file; for_python ("3.14"): a pure wheel for that Python, fetched from this one."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    cmd += ["--dest", str(downloads)]
    if for_python:
        cmd += ["--only-binary=:all:", "--python-version", for_python]
    return fetch(downloads, pin, cmd + [spec], f"PyPI {spec}")


def fetch_pinned_wheel(downloads: Path, name: str, pin: dict, for_python: str) -> Path:
    """A wheel pinned by file name: its version comes from the name."""
    return fetch_pypi(downloads, pin, f"{name}=={wheel_version(pin['file_name'])}", for_python)
