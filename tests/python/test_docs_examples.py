"""The examples of Retis's docs/python.md, with rete's module and `rete python`."""

import statistics
import subprocess

import pytest

from conftest import import_rete, json_lines, lines_of

rete = import_rete()


def test_count_events_of_a_file(packets_file, events_file):
    # >>> reader.sorted()            False
    # >>> events = reader.events()
    # >>> print("Got {} events".format(sum(1 for _ in events)))
    for path, n in ((packets_file, 27), (events_file, 5)):
        reader = rete.EventFile(path)
        assert reader.sorted() is False
        events = reader.events()
        got = sum(1 for _ in events)
        assert got == n == len(lines_of(path))
        assert "Got {} events".format(got) == "Got %d events" % n
        # The same with the reader itself.
        assert sum(1 for _ in rete.EventReader(path)) == n


def test_count_series_of_a_sorted_file(sorted_file):
    # >>> reader.sorted()            True
    # >>> series = reader.series()
    # >>> print("Got {} series".format(sum(1 for _ in series))
    reader = rete.EventFile(sorted_file)
    assert reader.sorted() is True
    series = reader.series()
    assert sum(1 for _ in series) == 4 == len(lines_of(sorted_file))


def test_average_events_per_series(sorted_file):
    # reader = SeriesReader("sorted_events.json")
    # events_per_series = [len(s) for s in reader]
    reader = rete.SeriesReader(sorted_file)
    events_per_series = [len(s) for s in reader]
    assert len(events_per_series) == 4
    assert events_per_series == [len(a) for a in json_lines(sorted_file)]
    assert statistics.mean(events_per_series) == 1.25
    assert statistics.mean([len(s) for s in rete.SeriesReader(sorted_file)]) == 1.25


def test_average_events_per_series_of_a_sorted_packets_file(packets_file, rete_bin, tmp_path):
    """rete sort -o, then the average: the number of events over the number of series."""
    out = tmp_path / "sorted.json"
    p = subprocess.run([str(rete_bin), "sort", "-o", str(out), str(packets_file)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    lengths = [len(s) for s in rete.SeriesReader(out)]
    # The startup event is a series of its own, then one series per packet.
    assert len(lengths) == 1 + 6
    assert sum(lengths) == 27
    assert statistics.mean(lengths) == pytest.approx(27 / 7)


SCRIPT_EVENTS = 'print("Got {} events".format(sum(1 for _ in reader.events())))\n'
SCRIPT_SERIES = ('print(reader.sorted())\n'
                 'print("Got {} series".format(sum(1 for _ in reader.series())))\n')
SCRIPT_MEAN = ('import statistics, sys\n'
               'from rete import SeriesReader\n'
               'events_per_series = [len(s) for s in SeriesReader(sys.argv[1])]\n'
               'print("Number of series: {}".format(len(events_per_series)))\n'
               'print("Average events per series: {}".format('
               'statistics.mean(events_per_series)))\n')


def rete_python(rete_bin, tmp_path, script, *args):
    s = tmp_path / "script.py"
    s.write_text(script)
    p = subprocess.run([str(rete_bin), "python", *args[:2], str(s), *args[2:]],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_builtin_interpreter_examples(rete_bin, tmp_path, packets_file, sorted_file):
    assert rete_python(rete_bin, tmp_path, SCRIPT_EVENTS, "-i", str(packets_file)) == \
        "Got 27 events\n"
    assert rete_python(rete_bin, tmp_path, SCRIPT_SERIES, "-i", str(sorted_file)) == \
        "True\nGot 4 series\n"
    assert rete_python(rete_bin, tmp_path, SCRIPT_MEAN, "-i", str(sorted_file),
                       str(sorted_file)) == \
        "Number of series: 4\nAverage events per series: 1.25\n"
