"""EventSeries: iteration, len(), repr()."""

import re

import pytest

from conftest import import_rete, json_lines

rete = import_rete()

# Retis: "PyEventSeries(ts = <first event's timestamp>, n_events = <len>)".
REPR = re.compile(r"(?:Py)?EventSeries\(ts = (\d+), n_events = (\d+)\)")


@pytest.fixture(scope="module")
def series_and_json(sorted_file):
    got = list(rete.SeriesReader(sorted_file))
    arrays = json_lines(sorted_file)
    assert len(got) == len(arrays)
    return list(zip(got, arrays))


def test_len_and_iteration(series_and_json):
    for s, arr in series_and_json:
        assert len(s) == len(arr)
        events = list(s)
        assert len(events) == len(s)
        assert all(isinstance(e, rete.Event) for e in events)
        assert [e.to_dict() for e in events] == arr
        # Iterable again, from the start.
        assert [e.common.timestamp for e in s] == [x["common"]["timestamp"] for x in arr]
        assert sum(1 for _ in s) == len(arr)
        assert s[0].common.timestamp == arr[0]["common"]["timestamp"]


def test_repr(series_and_json):
    for s, arr in series_and_json:
        r = repr(s)
        m = REPR.fullmatch(r)
        assert m, r
        assert int(m.group(1)) == arr[0]["common"]["timestamp"] == s[0].common.timestamp
        assert int(m.group(2)) == len(s) == len(arr)
    assert [repr(s) for s, _ in series_and_json] == [
        "EventSeries(ts = 23868643385852, n_events = 1)",
        "EventSeries(ts = 23868643385999, n_events = 1)",
        "EventSeries(ts = 23868955262984, n_events = 2)",
        "EventSeries(ts = 23868955449721, n_events = 1)",
    ]


def test_events_of_a_series_in_order(series_and_json):
    s, arr = series_and_json[2]
    assert len(s) == 2
    assert [e.tracking.idx for e in s] == [0, 1]
    assert [e.kernel.symbol for e in s] == ["openvswitch:ovs_dp_upcall", "ovs_dp_upcall"]
    assert s[1].ovs.event_type == "upcall_return"


def test_str_of_series_events_is_the_event(series_and_json, sorted_file, rete_print):
    """Every event's text shows in `rete print` of the sorted file (a series indents them)."""
    out = rete_print(sorted_file)
    for s, _ in series_and_json:
        for e in s:
            first = str(e).split("\n")[0]
            assert first in out
