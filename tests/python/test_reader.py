"""EventFile, EventReader, SeriesReader: sorted and unsorted files, rotated sets, errors."""

import re
import shutil
from pathlib import Path

import pytest

from conftest import PYDIR, import_rete, is_startup, json_lines, lines_of, run_python

rete = import_rete()


def drain(it):
    """Every item of an iterator, a rete.ReadError standing for each line it reports."""
    out = []
    while True:
        try:
            out.append(next(it))
        except StopIteration:
            return out
        except rete.ReadError as e:
            out.append(e)


def split_rotated(src, base, nparts):
    """FILE.0 .. FILE.<nparts-1> from src, each starting with src's startup line.

    Returns the number of lines (events or series, startup included) in each part."""
    lines = lines_of(src)
    startup, rest = lines[0], lines[1:]
    assert is_startup(json_lines(src)[0]) or "startup" in startup
    size = -(-len(rest) // nparts)
    counts = []
    for i in range(nparts):
        chunk = rest[i * size:(i + 1) * size]
        Path("%s.%d" % (base, i)).write_text("\n".join([startup] + chunk) + "\n")
        counts.append(1 + len(chunk))
    return counts


# ---- the module --------------------------------------------------------------------------


def test_module_comes_from_the_build_dir():
    assert Path(rete.__file__).resolve().parent == (PYDIR / "rete").resolve()


def test_module_exports_the_retis_classes():
    for name in ("Event", "EventFile", "EventReader", "EventSeries", "SeriesReader",
                 "ReadError"):
        assert name in rete.__all__
        assert hasattr(rete, name)
    assert issubclass(rete.ReadError, Exception)


# ---- EventFile ---------------------------------------------------------------------------


def test_eventfile_unsorted(events_file):
    f = rete.EventFile(events_file)
    assert f.sorted() is False
    reader = f.events()
    assert isinstance(reader, rete.EventReader)
    events = list(reader)
    assert len(events) == len(lines_of(events_file)) == 5
    assert all(isinstance(e, rete.Event) for e in events)
    with pytest.raises(ValueError):
        f.series()


def test_eventfile_sorted(sorted_file):
    f = rete.EventFile(sorted_file)
    assert f.sorted() is True
    reader = f.series()
    assert isinstance(reader, rete.SeriesReader)
    series = list(reader)
    arrays = json_lines(sorted_file)
    assert len(series) == len(arrays) == 4
    assert all(isinstance(s, rete.EventSeries) for s in series)
    assert [len(s) for s in series] == [len(a) for a in arrays] == [1, 1, 2, 1]
    with pytest.raises(ValueError):
        f.events()


@pytest.mark.parametrize("kind", [str, Path])
def test_eventfile_takes_str_and_path(packets_file, kind):
    f = rete.EventFile(kind(packets_file))
    assert not f.sorted()
    assert sum(1 for _ in f.events()) == 27


def test_eventfile_gives_a_new_reader_each_time(packets_file):
    f = rete.EventFile(packets_file)
    r1, r2 = f.events(), f.events()
    assert r1 is not r2
    assert sum(1 for _ in r1) == 27
    assert sum(1 for _ in r2) == 27
    assert sum(1 for _ in f.events()) == 27


# ---- EventReader -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["test_events.json", "test_events_packets.json",
                                  "test_events_packets_invalid_ct.json"])
def test_eventreader_reads_every_event_in_order(fixtures_dir, name):
    path = fixtures_dir / name
    expected = json_lines(path)
    r = rete.EventReader(path)
    assert iter(r) is r
    events = list(r)
    assert len(events) == len(expected)
    assert [e.common.timestamp for e in events] == [x["common"]["timestamp"] for x in expected]
    assert [e.origin() for e in events] == [(str(path), i + 1) for i in range(len(expected))]
    # Exhausted: stays exhausted.
    assert list(r) == []
    with pytest.raises(StopIteration):
        next(r)


def test_eventreader_refuses_a_sorted_file(sorted_file):
    with pytest.raises(ValueError, match="sorted"):
        rete.EventReader(sorted_file)


def test_seriesreader_refuses_an_unsorted_file(events_file, packets_file):
    for path in (events_file, packets_file):
        with pytest.raises(ValueError, match="not a sorted file"):
            rete.SeriesReader(path)


def test_seriesreader_reads_every_series(sorted_file):
    r = rete.SeriesReader(sorted_file)
    assert iter(r) is r
    arrays = json_lines(sorted_file)
    got = list(r)
    assert [[e.common.timestamp for e in s] for s in got] == \
        [[x["common"]["timestamp"] for x in a] for a in arrays]
    # The startup event stands alone in the first series.
    assert got[0][0].startup is not None and len(got[0]) == 1
    assert list(r) == []


def test_missing_file_raises_oserror(tmp_path):
    for cls in (rete.EventFile, rete.EventReader, rete.SeriesReader):
        with pytest.raises(OSError):
            cls(tmp_path / "nope.json")


def test_directory_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        rete.EventFile(tmp_path)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.json"
    p.write_text("")
    f = rete.EventFile(p)
    assert f.sorted() is False
    assert list(f.events()) == []


# ---- rotated sets ------------------------------------------------------------------------


@pytest.mark.parametrize("nparts", [2, 3])
@pytest.mark.parametrize("name", ["test_events_packets.json", "test_events.json"])
def test_rotated_set_reads_as_one(fixtures_dir, tmp_path, name, nparts):
    src = fixtures_dir / name
    base = tmp_path / "FILE"
    counts = split_rotated(src, base, nparts)
    # Every part starts with the startup event and reads alone too.
    for i, n in enumerate(counts):
        part = list(rete.EventReader("%s.%d" % (base, i)))
        assert len(part) == n
        assert part[0].startup is not None
    f = rete.EventFile(base)
    assert f.sorted() is False
    events = list(f.events())
    assert len(events) == sum(counts) == len(lines_of(src)) + nparts - 1
    assert sum(1 for _ in rete.EventReader(base)) == sum(counts)
    assert sum(1 for _ in rete.EventReader(str(base))) == sum(counts)
    # In order: every part's events, one after the other.
    assert [e.origin() for e in events] == [
        ("%s.%d" % (base, i), line) for i, n in enumerate(counts) for line in range(1, n + 1)]
    assert sum(1 for e in events if e.startup is not None) == nparts
    # The non-startup events are the fixture's, in its order.
    want = [x["common"]["timestamp"] for x in json_lines(src)[1:]]
    assert [e.common.timestamp for e in events if e.startup is None] == want


def test_rotated_set_explicit_spec(packets_file, tmp_path):
    base = tmp_path / "cap.json"
    counts = split_rotated(packets_file, base, 2)
    assert sum(1 for _ in rete.EventReader("%s.0.." % base)) == sum(counts)
    # From the second file on.
    assert sum(1 for _ in rete.EventReader("%s.1.." % base)) == counts[1]


def test_rotated_sorted_set(sorted_file, tmp_path):
    base = tmp_path / "sorted.json"
    counts = split_rotated(sorted_file, base, 2)
    f = rete.EventFile(base)
    assert f.sorted() is True
    series = list(f.series())
    assert len(series) == sum(counts)
    per_part = [list(rete.SeriesReader("%s.%d" % (base, i))) for i in range(2)]
    assert [len(p) for p in per_part] == counts
    assert sum(len(s) for s in series) == sum(len(s) for p in per_part for s in p)
    with pytest.raises(ValueError):
        rete.EventReader(base)


def test_file_itself_wins_over_rotated_parts(packets_file, tmp_path):
    base = tmp_path / "FILE"
    split_rotated(packets_file, base, 2)
    shutil.copy(packets_file, base)
    assert sum(1 for _ in rete.EventReader(base)) == 27


# ---- malformed lines ---------------------------------------------------------------------

BAD = '{"common": {"timestamp": 12, oops'


def with_bad_lines(src, dst, at):
    """dst: src with a malformed line inserted before each 1-based line number in `at`
    (numbers in the new file)."""
    lines = lines_of(src)
    for n in sorted(at):
        lines.insert(n - 1, BAD)
    dst.write_text("\n".join(lines) + "\n")
    return dst


def test_malformed_line_raises_readerror_and_reading_goes_on(packets_file, tmp_path):
    p = with_bad_lines(packets_file, tmp_path / "bad.json", [11])
    r = rete.EventReader(p)
    before = []
    with pytest.raises(rete.ReadError) as exc:
        for e in r:
            before.append(e)
    assert len(before) == 10
    msg = str(exc.value)
    assert str(p) in msg
    assert re.search(r"(^|\D)11(\D|$)", msg), msg
    assert "%s:11" % p in msg
    # The same reader goes on with the next events.
    after = list(r)
    assert len(after) == 27 - 10 == 17
    assert after[0].origin() == (str(p), 12)
    want = [x["common"]["timestamp"] for x in json_lines(packets_file)]
    assert [e.common.timestamp for e in before + after] == want


def test_several_malformed_lines(packets_file, tmp_path):
    p = with_bad_lines(packets_file, tmp_path / "bad.json", [3, 4, 20, 31])
    items = drain(rete.EventReader(p))
    errors = [x for x in items if isinstance(x, rete.ReadError)]
    events = [x for x in items if isinstance(x, rete.Event)]
    assert len(events) == 27
    assert len(errors) == 4
    for err, line in zip(errors, [3, 4, 20, 31]):
        assert "%s:%d" % (p, line) in str(err)
    assert isinstance(items[-1], rete.ReadError)  # the last line of the file


def test_malformed_first_line(events_file, tmp_path):
    p = with_bad_lines(events_file, tmp_path / "bad.json", [1])
    f = rete.EventFile(p)
    assert f.sorted() is False
    items = drain(f.events())
    assert isinstance(items[0], rete.ReadError)
    assert "%s:1" % p in str(items[0])
    assert len(items) == 1 + 5
    assert items[1].startup is not None


def test_malformed_line_in_a_sorted_file(sorted_file, tmp_path):
    lines = lines_of(sorted_file)
    p = tmp_path / "bad_sorted.json"
    p.write_text("\n".join(lines[:2] + ['[{"common":'] + lines[2:]) + "\n")
    r = rete.SeriesReader(p)
    items = drain(r)
    assert [len(x) if isinstance(x, rete.EventSeries) else "error" for x in items] == \
        [1, 1, "error", 2, 1]
    assert "%s:3" % p in str(items[2])


def test_malformed_line_in_a_rotated_set(packets_file, tmp_path):
    base = tmp_path / "FILE"
    counts = split_rotated(packets_file, base, 2)
    second = Path("%s.1" % base)
    with_bad_lines(second, second, [3])
    items = drain(rete.EventReader(base))
    errors = [x for x in items if isinstance(x, rete.ReadError)]
    assert len(errors) == 1 and "%s:3" % second in str(errors[0])
    assert len(items) - 1 == sum(counts)


# ---- one reader, several threads ---------------------------------------------------------

THREADS = r"""
import sys, threading, rete
r = rete.EventReader(sys.argv[1])
counts, errors = [0] * 4, []
def run(i):
    try:
        for e in r:
            counts[i] += 1
            e.raw()
    except Exception as x:
        errors.append(repr(x))
ts = [threading.Thread(target=run, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(sum(counts), len(errors), errors[:2])
"""


def test_one_reader_shared_by_threads(packets_file, tmp_path):
    lines = lines_of(packets_file)
    p = tmp_path / "many.json"
    p.write_text("\n".join(lines[:1] + lines[1:] * 800) + "\n")
    n = 1 + 26 * 800
    try:
        proc = run_python(THREADS, p)
    finally:
        p.unlink()
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.split()[:2] == [str(n), "0"], proc.stdout
