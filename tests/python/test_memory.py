"""Memory stays flat while reading: events are not kept, nothing leaks per event or reader."""

import gc
import resource
import time

import pytest

from conftest import import_rete, lines_of

rete = import_rete()

MB = 1 << 20
LIMIT = 20 * MB


def rss():
    """Current resident set size in bytes (the peak when /proc is not there)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()
    except OSError:
        return peak()


def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def sample():
    gc.collect()
    return rss(), peak()


def check_flat(at_50k, at_end, what):
    grew, peak_grew = at_end[0] - at_50k[0], at_end[1] - at_50k[1]
    assert grew < LIMIT, "%s: RSS grew by %.1f MB" % (what, grew / MB)
    assert peak_grew < LIMIT, "%s: peak RSS grew by %.1f MB" % (what, peak_grew / MB)


@pytest.fixture
def big_file(packets_file, tmp_path):
    """The fixture's startup line, then its 26 other events over and over: 200,019 events."""
    lines = lines_of(packets_file)
    path = tmp_path / "big.json"
    chunk = "\n".join(lines[1:]) + "\n"
    reps = -(-200_000 // (len(lines) - 1))
    with open(path, "w") as f:
        f.write(lines[0] + "\n")
        for _ in range(reps):
            f.write(chunk)
    yield path, 1 + reps * (len(lines) - 1)
    path.unlink()  # 170 MB: not for pytest's kept temporary directories


def test_memory_flat_over_a_big_file(big_file):
    path, total = big_file
    start = time.monotonic()
    n = 0
    marks = {}
    for e in rete.EventReader(path):
        n += 1
        # Touch what goes through the C extension, some of the time.
        if n % 4 == 0:
            e.raw()
            e.skb_tracking.tracking_id()
        if n % 16 == 2:
            str(e)
            e.to_dict()
            assert len(e.packet.data) == e.packet.capture_len
        if n in (50_000, 200_000):
            marks[n] = sample()
    assert n == total >= 200_000
    check_flat(marks[50_000], marks[200_000], "50k -> 200k events of one file")
    assert time.monotonic() - start < 30


def test_memory_flat_over_many_readers(packets_file):
    """The packets fixture read 2,000 times over (54,000 events), a third of them touched."""
    start = time.monotonic()
    n = 0
    marks = {}
    for i in range(1, 2001):
        for j, e in enumerate(rete.EventReader(packets_file)):
            n += 1
            e.raw()
            e.sections()
            if e.packet is not None and j % 3 == i % 3:
                str(e)
                e.to_dict()
                e.skb_tracking.tracking_id()
                e.packet.data
        if i in (500, 2000):
            marks[i] = sample()
    assert n == 27 * 2000
    check_flat(marks[500], marks[2000], "readers 500 -> 2000")
    assert time.monotonic() - start < 30


def test_memory_flat_over_series(sorted_file, tmp_path):
    """A sorted file read by SeriesReader: the series are not kept either."""
    lines = lines_of(sorted_file)
    path = tmp_path / "sorted_big.json"
    path.write_text(lines[0] + "\n" + ("\n".join(lines[1:]) + "\n") * 10_000)
    n = events = 0
    marks = {}
    for s in rete.SeriesReader(path):
        n += 1
        events += len(s)
        repr(s)
        if n in (5_000, 30_000):
            marks[n] = sample()
    path.unlink()
    assert n == 1 + 3 * 10_000 and events == 1 + 4 * 10_000
    check_flat(marks[5_000], marks[30_000], "5k -> 30k series")
