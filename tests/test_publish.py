"""The Pages workflow is valid and builds, tests and publishes with the README's own commands.

GitHub Actions cannot run here, so actionlint checks every workflow file, and the workflow's steps
are compared with what the README tells a user to type and what CI (.ci/run) runs.
"""

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sitetools import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PAGES = WORKFLOWS / "pages.yml"
ACTIONLINT = Path(sys.executable).with_name("actionlint")
BUILD_COMMAND = "make site"
PINS = "sitetools/vendor-pins.json"


def actionlint(*files: Path):
    assert ACTIONLINT.exists(), "actionlint is missing: `pip install -r requirements.txt` installs it"
    cmd = [str(ACTIONLINT), "-no-color", *map(str, files)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def steps(job: str) -> list[dict]:
    return yaml.safe_load(PAGES.read_text())["jobs"][job]["steps"]


def run_commands(job: str) -> list[str]:
    return [step["run"].strip() for step in steps(job) if "run" in step]


def uses(job: str, action: str) -> dict:
    found = [step for step in steps(job) if step.get("uses", "").split("@")[0] == action]
    assert len(found) == 1, f"job {job!r} should use {action} once, found {len(found)}"
    return found[0]


@pytest.mark.parametrize("workflow", sorted(WORKFLOWS.glob("*.y*ml")), ids=lambda p: p.name)
def test_actionlint_passes(workflow):
    result = actionlint(workflow)
    assert result.returncode == 0, f"actionlint found:\n{result.stdout}{result.stderr}"


def test_actionlint_fails_a_broken_workflow(tmp_path):
    """The check can fail: a typo in an expression and an unknown input are both reported."""
    broken = PAGES.read_text().replace("github.event_name", "github.event_nam", 1)
    broken = broken.replace("path: dist", "paths: dist", 1)
    (tmp_path / "pages.yml").write_text(broken)
    result = actionlint(tmp_path / "pages.yml")
    assert result.returncode != 0, "actionlint accepted a broken workflow"
    assert "event_nam" in result.stdout, result.stdout
    assert '"paths" is not defined' in result.stdout, result.stdout


def test_the_site_is_built_with_the_readmes_command():
    readme = (ROOT / "README.md").read_text()
    assert f"`{BUILD_COMMAND}`" in readme, f"the README no longer tells users to run `{BUILD_COMMAND}`"
    assert run_commands("build") == [BUILD_COMMAND], "the build job must run exactly the README's command"
    dry_run = subprocess.run(shlex.split(BUILD_COMMAND) + ["-n"], cwd=ROOT, capture_output=True, text=True)
    assert dry_run.returncode == 0, f"`{BUILD_COMMAND}` does not run:\n{dry_run.stderr}"


def test_the_published_folder_is_the_build_output():
    config = json.loads((ROOT / "jupyter_lite_config.json").read_text())
    output_dir = config["LiteBuildConfig"]["output_dir"]
    assert uses("build", "actions/upload-pages-artifact")["with"]["path"] == output_dir


def test_the_tests_run_as_ci_runs_them():
    ci_commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert run_commands("test")[-1:] == ci_commands, f"the test job should end with .ci/run's {ci_commands}"


@pytest.mark.parametrize("job", ["build", "test"])
def test_downloads_are_cached_by_their_pins(job):
    cache = uses(job, "actions/cache")["with"]
    assert cache["path"] == "build/downloads"
    assert f"hashFiles('{PINS}')" in cache["key"], "a new pin must not reuse old downloads"
    assert (ROOT / PINS).exists()


def test_publishing_has_only_the_rights_it_needs():
    workflow = yaml.safe_load(PAGES.read_text())
    assert workflow["permissions"] == {"contents": "read"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert "concurrency" in workflow
