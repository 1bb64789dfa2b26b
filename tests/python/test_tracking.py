"""skb_tracking: tracking_id(), match(), strict_match()."""

import itertools
import json

import pytest

from conftest import import_rete, json_lines, lines_of

rete = import_rete()

UNSORTED = ["test_events.json", "test_events_packets.json", "test_events_packets_invalid_ct.json"]


def tid(j):
    t = j["skb-tracking"]
    return (t["timestamp"] << 64) | t["orig_head"]


@pytest.mark.parametrize("name", UNSORTED)
def test_tracking_id_formula(fixtures_dir, name):
    path = fixtures_dir / name
    n = 0
    for e, j in zip(rete.EventReader(path), json_lines(path)):
        if "skb-tracking" not in j:
            assert e.skb_tracking is None
            continue
        t = e.skb_tracking
        got = t.tracking_id()
        assert isinstance(got, int)
        assert got == tid(j) == (t.timestamp << 64) | t.orig_head
        assert got >> 64 == j["skb-tracking"]["timestamp"]
        assert got & (2**64 - 1) == j["skb-tracking"]["orig_head"]
        # rete print shows the same id.
        assert "#%x " % got in str(e)
        n += 1
    assert n >= 4


@pytest.fixture(scope="module")
def series(sorted_file):
    return [s for s in rete.SeriesReader(sorted_file) if s[0].skb_tracking is not None]


def test_events_of_a_series_share_the_tracking_id(series):
    multi = [s for s in series if len(s) > 1]
    assert multi, "the sorted fixture has a series of several events"
    for s in series:
        ids = {e.skb_tracking.tracking_id() for e in s}
        assert len(ids) == 1
        for a, b in itertools.product(s, s):
            assert a.skb_tracking.match(b.skb_tracking)
            assert a.skb_tracking.strict_match(b.skb_tracking)  # same skb here
        # rete sort's own record of it.
        for e in s:
            assert e.tracking.skb.to_dict() == e.skb_tracking.to_dict()


def test_series_have_different_tracking_ids(series):
    assert len(series) == 3
    ids = [s[0].skb_tracking.tracking_id() for s in series]
    assert len(set(ids)) == len(ids)
    for s1, s2 in itertools.combinations(series, 2):
        for a, b in itertools.product(s1, s2):
            assert not a.skb_tracking.match(b.skb_tracking)
            assert not b.skb_tracking.match(a.skb_tracking)
            assert not a.skb_tracking.strict_match(b.skb_tracking)


def test_match_in_an_unsorted_file(packets_file):
    events = [e for e in rete.EventReader(packets_file) if e.skb_tracking]
    groups = {}
    for e in events:
        groups.setdefault(e.skb_tracking.tracking_id(), []).append(e)
    assert len(groups) == 6
    for a, b in itertools.product(events, events):
        same = a.skb_tracking.tracking_id() == b.skb_tracking.tracking_id()
        assert a.skb_tracking.match(b.skb_tracking) == same
        assert a.skb_tracking.strict_match(b.skb_tracking) == \
            (same and a.skb_tracking.skb == b.skb_tracking.skb)


def test_same_skb_other_packet_does_not_match(packets_file):
    # The fixture reuses an sk_buff for another packet (a new tracking id).
    events = [e for e in rete.EventReader(packets_file) if e.skb_tracking]
    pairs = [(a, b) for a, b in itertools.combinations(events, 2)
             if a.skb_tracking.skb == b.skb_tracking.skb
             and a.skb_tracking.tracking_id() != b.skb_tracking.tracking_id()]
    assert pairs
    for a, b in pairs:
        assert not a.skb_tracking.match(b.skb_tracking)
        assert not a.skb_tracking.strict_match(b.skb_tracking)


def test_clone_matches_but_not_strictly(packets_file, tmp_path):
    """Same packet (timestamp, orig_head), another sk_buff: a clone."""
    lines = lines_of(packets_file)
    ev = json.loads(lines[1])
    clone = json.loads(lines[1])
    clone["skb-tracking"]["skb"] += 0x100
    clone["common"]["timestamp"] += 1000
    p = tmp_path / "clone.json"
    p.write_text("\n".join([lines[0], json.dumps(ev), json.dumps(clone)]) + "\n")
    _, a, b = rete.EventReader(p)
    assert a.skb_tracking.tracking_id() == b.skb_tracking.tracking_id()
    assert a.skb_tracking.skb != b.skb_tracking.skb
    assert a.skb_tracking.match(b.skb_tracking) and b.skb_tracking.match(a.skb_tracking)
    assert not a.skb_tracking.strict_match(b.skb_tracking)
    assert not b.skb_tracking.strict_match(a.skb_tracking)
    assert a.skb_tracking.strict_match(a.skb_tracking)
