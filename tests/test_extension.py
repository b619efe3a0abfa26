"""The site's kernel extension (extension/) passes its own checks, as upstream's packages run them
in CI: the TypeScript compiles with no error, eslint and prettier are content, the unit tests of
its logic (extension/test/, Node's test runner) pass."""

import shutil
import subprocess

import pytest

from sitetools import ROOT

EXTENSION = ROOT / "extension"
CHECKS = {
    "tsc": ["npx", "tsc", "--noEmit", "-p", "tsconfig.json"],
    "eslint and prettier": ["npm", "run", "--silent", "lint"],
    "unit tests": ["npm", "test", "--silent"],
}


@pytest.mark.parametrize("check", CHECKS)
def test_the_extension_passes(check):
    if not (EXTENSION / "node_modules").is_dir():
        pytest.fail("extension/node_modules is missing: pip install ./extension (requirements.txt) makes it")
    assert shutil.which("npm"), "npm is not installed (Debian: apt-get install nodejs npm)"
    if check == "unit tests":
        subprocess.run(["npx", "tsc", "-b"], cwd=EXTENSION, check=True, capture_output=True, timeout=300)
    result = subprocess.run(CHECKS[check], cwd=EXTENSION, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{check} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
