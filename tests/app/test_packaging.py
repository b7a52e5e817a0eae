"""The sdist and wheel a release would upload, built as a packager would (issue 14, item 1)."""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

import pytest

import cambridge_results

ROOT = Path(__file__).resolve().parents[2]
NAME = f"cambridge_results-{cambridge_results.__version__}"

#: Test inputs that the sdist's own test suite reads.
FIXTURES = (
    "tests/storage/fixtures/v1.db",
    "tests/storage/plugin_dist/pyproject.toml",
    "tests/storage/plugin_dist/src/cr_teststore/__init__.py",
    "tests/website/golden/letters.txt",
    "tests/logins/golden/statements.txt",
    "tests/enquiries/golden/acknowledgement.txt",
)

#: What a developer's tree holds after `bash scripts/demo` and a run or two: never shipped.
GENERATED = (
    "demo/results.db",
    "demo/letters/GB100/letters-0001.pdf",
    "demo/letters/GB100/letters.zip",
    "results.db",
    "results.db-wal",
    "letters/GB100/letters-0001.pdf",
    "src/cambridge_results/letters/stray.pdf",
    "docs/letters.pdf",
    ".venv/lib/python3/site-packages/stray.py",
    ".hypothesis/examples/abc",
    "dist/old.tar.gz",
)


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Build the sdist and wheel from a copy of the tree littered with the demo's output."""
    tree = tmp_path_factory.mktemp("tree") / "project"
    local = {".git", ".venv", ".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
    local |= {"dist", "build", "demo", "out"}

    def ignore(directory: str, names: list[str]) -> set[str]:
        top = Path(directory) == ROOT
        return {n for n in names if (top and n in local) or n == "__pycache__"}

    shutil.copytree(ROOT, tree, ignore=ignore)
    for relative in GENERATED:
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 generated\n" if path.suffix == ".pdf" else b"generated\n")
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(tree)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def _sdist_files(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as archive:
        members = [m.name for m in archive.getmembers() if m.isfile()]
    return {name.removeprefix(f"{NAME}/") for name in members}


def _wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        return email.message_from_bytes(archive.read(f"{NAME}.dist-info/METADATA"))


def test_the_sdist_leaves_out_the_demos_output_and_local_environments(
    dists: tuple[Path, Path],
) -> None:
    """No database, letter, zip, virtualenv or cache that a run left in the tree is shipped."""
    files = _sdist_files(dists[0])
    assert not files & set(GENERATED)
    assert not [f for f in files if f.endswith((".db-wal", ".db-shm", ".zip"))]
    assert not [f for f in files if f.endswith(".db") and f != "tests/storage/fixtures/v1.db"]
    assert not [f for f in files if f.endswith(".pdf") and "/golden/" not in f]
    assert not [f for f in files if f.startswith((".venv/", ".hypothesis/", "demo/", "dist/"))]


def test_the_sdist_has_every_test_fixture_and_what_building_needs(
    dists: tuple[Path, Path],
) -> None:
    """The sdist's tests can run: fixtures (v1.db despite .gitignore's *.db), licences, config."""
    files = _sdist_files(dists[0])
    for needed in (*FIXTURES, "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "PKG-INFO"):
        assert needed in files
    assert "src/cambridge_results/rendering/fonts/OFL.txt" in files
    assert {"scripts/test", "scripts/demo"} <= files
    assert ".ci/run" in files


def test_the_wheel_holds_the_package_and_no_tests(dists: tuple[Path, Path]) -> None:
    """The wheel installs cambridge_results with its fonts and policies, and nothing else."""
    with zipfile.ZipFile(dists[1]) as archive:
        names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"cambridge_results", f"{NAME}.dist-info"}
    assert "cambridge_results/__main__.py" in names
    assert "cambridge_results/py.typed" in names
    assert "cambridge_results/rendering/fonts/NotoSans-Regular.ttf" in names
    assert "cambridge_results/rendering/fonts/NotoSansMono-Bold.ttf" in names
    assert "cambridge_results/policies/international-2023.json" in names
    assert not [n for n in names if n.endswith((".pdf", ".db", ".zip"))]


def test_the_metadata_declares_the_version_the_licences_and_the_extras(
    dists: tuple[Path, Path],
) -> None:
    """MIT for the code and OFL-1.1 for the bundled fonts, both licence texts, extras apart."""
    metadata = _wheel_metadata(dists[1])
    assert metadata["Version"] == cambridge_results.__version__
    assert metadata["License-Expression"] == "MIT AND OFL-1.1"
    assert set(metadata.get_all("License-File") or []) == {
        "LICENSE",
        "src/cambridge_results/rendering/fonts/OFL.txt",
    }
    assert {"postgres", "testing", "test"} <= set(metadata.get_all("Provides-Extra") or [])
    classifiers = metadata.get_all("Classifier") or []
    for python in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {python}" in classifiers
    with zipfile.ZipFile(dists[1]) as archive:
        licences = [n for n in archive.namelist() if "/licenses/" in n]
    assert len(licences) == 2


def test_the_installed_version_is_the_packages_version() -> None:
    """__version__ is the one version: the installed metadata says the same."""
    from importlib.metadata import version

    assert version("cambridge_results") == cambridge_results.__version__


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "cambridge_results", "--version"],
        [str(Path(sys.executable).with_name("cambridge-results")), "--version"],
    ],
    ids=["python -m", "console script"],
)
def test_the_command_line_prints_the_version(command: list[str]) -> None:
    """`cambridge-results --version` and `python -m cambridge_results --version` both answer."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"cambridge-results {cambridge_results.__version__}"
