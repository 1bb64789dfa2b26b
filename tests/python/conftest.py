"""Shared set-up of the tests of the rete Python module (tests/python/).

Environment:
  RETE_BUILD   the build directory (default: build). A relative path is taken from the
               current directory when it exists there, else from the repository root.
               BUILD/python goes first on sys.path (the module `make python` builds);
               BUILD/rete is the binary whose `rete print` output str(event) must match.
  RETE_SHARED  the shared data directory (default: /work/shared); the Retis event
               fixtures are in $RETE_SHARED/reference/retis-events/. Tests needing them
               are skipped, with the reason, when they are absent.

Run: /usr/bin/python3 -m pytest -q tests/python
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _build_dir():
    b = Path(os.environ.get("RETE_BUILD") or "build")
    if b.is_absolute():
        return b
    if b.exists():
        return b.resolve()
    return ROOT / b


BUILD = _build_dir()
PYDIR = BUILD / "python"
RETE_BIN = BUILD / "rete"
SHARED = Path(os.environ.get("RETE_SHARED") or "/work/shared")
FIXTURES = SHARED / "reference" / "retis-events"

# The module under test: the one built in BUILD/python, never another one on the path.
sys.path.insert(0, str(PYDIR))

# Debian's interpreter (python3-pytest, python3-scapy), for scripts run in a fresh process.
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable

NOT_BUILT = "the rete Python module is not built in %s (run make python)" % PYDIR


def import_rete():
    """The rete module from BUILD/python, or skip the test (module) with the reason."""
    if not (PYDIR / "rete" / "__init__.py").is_file():
        pytest.skip(NOT_BUILT, allow_module_level=True)
    return pytest.importorskip("rete", reason=NOT_BUILT)


def fixture_path(name):
    p = FIXTURES / name
    if not p.is_file():
        pytest.skip("fixture %s is missing (set RETE_SHARED; looked in %s)" % (name, FIXTURES))
    return p


@pytest.fixture(scope="session")
def fixtures_dir():
    if not FIXTURES.is_dir():
        pytest.skip("the Retis event fixtures are missing: no %s (set RETE_SHARED)" % FIXTURES)
    return FIXTURES


@pytest.fixture(scope="session")
def events_file(fixtures_dir):
    """Retis events, unsorted (startup + 4 events, an older Retis layout)."""
    return fixture_path("test_events.json")


@pytest.fixture(scope="session")
def sorted_file(fixtures_dir):
    """The same events sorted (rete/retis sort): each line a JSON array, one series."""
    return fixture_path("test_events_sorted.json")


@pytest.fixture(scope="session")
def packets_file(fixtures_dir):
    """Unsorted events with packet sections (pings between two namespaces through OVS)."""
    return fixture_path("test_events_packets.json")


@pytest.fixture(scope="session")
def invalid_ct_file(fixtures_dir):
    return fixture_path("test_events_packets_invalid_ct.json")


@pytest.fixture(scope="session")
def rete_bin():
    if not (RETE_BIN.is_file() and os.access(RETE_BIN, os.X_OK)):
        pytest.skip("the rete binary is not built (%s)" % RETE_BIN)
    return RETE_BIN


@pytest.fixture(scope="session")
def rete_print(rete_bin):
    """rete_print(path, *options) -> stdout of `rete print`, no colour, no pager."""

    def run(path, *options):
        cmd = [str(rete_bin), "print", "--color", "never", "--no-pager", *options, str(path)]
        env = dict(os.environ, NO_COLOR="1")
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        assert p.returncode == 0, "%s failed: %s" % (" ".join(cmd), p.stderr)
        return p.stdout

    return run


def json_lines(path):
    """The lines of an event file, parsed (a dict per event, a list per series)."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def lines_of(path):
    with open(path) as f:
        return [line for line in f.read().splitlines() if line.strip()]


def is_startup(obj):
    return isinstance(obj, dict) and "startup" in obj


def run_python(code, *args, timeout=120):
    """Run code in a fresh /usr/bin/python3 with BUILD/python first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PYDIR)] + [p for p in [env.get("PYTHONPATH")] if p])
    return subprocess.run([PYTHON, "-c", code, *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=timeout)
