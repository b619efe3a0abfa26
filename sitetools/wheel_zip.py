"""Write a wheel (or any zip) reproducibly, with its RECORD; shared by the scripts that rewrite wheels.

Used on the host (patch_pyodide_kernel.py) and inside the vendored Pyodide (compile_pyc.mjs).
"""

import base64
import hashlib
import zipfile


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def with_record(files: dict, record: str) -> dict:
    """files with RECORD rewritten to list every other member: path,hash,size."""
    lines = "".join(
        f"{path},{record_hash(data)},{len(data)}\n" for path, data in files.items() if path != record
    )
    return {**files, record: (lines + f"{record},,\n").encode()}


def write_zip(path, files: dict) -> None:
    """Members in the order given, fixed dates and modes: the same input gives the same bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member, data in files.items():
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
