"""The Pages workflow is valid and builds, tests and publishes with the README's own commands.

GitHub Actions cannot run here, so actionlint checks every workflow file, and the workflow's steps
are compared with what the README tells a user to type and what CI (.ci/run) runs.
"""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sitetools import ROOT, downloads

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
    # The key follows the file the build reads its pins from: moved, it would hash nothing.
    assert ROOT / PINS == downloads.PINS, f"the build reads its pins from {downloads.PINS}, not {PINS}"


def test_publishing_has_only_the_rights_it_needs():
    workflow = yaml.safe_load(PAGES.read_text())
    assert workflow["permissions"] == {"contents": "read"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


# The only expressions the workflow's conditions use: `github.event_name == 'x'` (or !=).
CONDITION = re.compile(r"^(?:\$\{\{)?\s*github\.event_name\s*(==|!=)\s*'([\w-]+)'\s*(?:\}\})?$")


def holds(condition, event: str) -> bool:
    """A job's `if:` or a `${{ }}` value evaluated for one event, as GitHub Actions would."""
    if isinstance(condition, bool):
        return condition
    match = CONDITION.match(str(condition).strip())
    assert match, f"a condition this test cannot evaluate: {condition!r}"
    operator, name = match.groups()
    return (event == name) == (operator == "==")


def runs_on(event: str) -> dict[str, list[str]]:
    """{job: the actions its steps use} for the jobs that run on `event`."""
    jobs = yaml.safe_load(PAGES.read_text())["jobs"]
    return {
        name: [
            s["uses"].split("@")[0] for s in job["steps"] if "uses" in s and holds(s.get("if", True), event)
        ]
        for name, job in jobs.items()
        if holds(job.get("if", True), event)
    }


@pytest.mark.parametrize("event", ["push", "workflow_dispatch"])
def test_a_push_to_main_builds_and_publishes_without_the_test_job(event):
    jobs = runs_on(event)
    assert sorted(jobs) == ["build", "deploy"]
    assert {"actions/configure-pages", "actions/upload-pages-artifact"} <= set(jobs["build"])


def test_a_pull_request_is_built_and_tested_and_never_published():
    jobs = runs_on("pull_request")
    assert sorted(jobs) == ["build", "test"]
    assert "actions/upload-pages-artifact" not in jobs["build"], "a pull request would upload a site"


def test_a_newer_run_cancels_an_older_one_only_on_pull_requests():
    """A newer push to a pull request cancels its older run; on main a deployment under way is
    never cut off; runs of different refs never cancel each other."""
    concurrency = yaml.safe_load(PAGES.read_text())["concurrency"]
    assert "${{ github.ref }}" in concurrency["group"], (
        "one group for every ref: runs would cancel each other"
    )
    cancels = concurrency["cancel-in-progress"]
    assert holds(cancels, "pull_request"), "a newer push to a pull request should cancel its older run"
    assert not holds(cancels, "push"), "a push to main would cut off a deployment under way"
