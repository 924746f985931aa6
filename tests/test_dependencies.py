"""Dependencies are pinned with hashes in requirements.lock and installed from it
(security review, finding 13): every package pyproject.toml names, and each of theirs, has
one exact version and the hashes pip checks."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)")


def normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def locked():
    """{name: (version, number of hashes)} from requirements.lock."""
    packages, current = {}, None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := PIN.match(line):
            current = normal(match[1])
            packages[current] = [match[2], 0]
        elif current and line.strip().startswith("--hash=sha256:"):
            packages[current][1] += 1
    return packages


def declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {normal(re.split(r"[<>=!~\[;\s]", name, maxsplit=1)[0]) for name in names}


def test_every_declared_dependency_is_pinned_with_hashes():
    packages = locked()
    assert declared() <= set(packages), declared() - set(packages)
    assert all(hashes >= 1 for _version, hashes in packages.values()), packages


def test_make_installs_from_the_lock_and_checks_the_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--no-deps -e ." in makefile
