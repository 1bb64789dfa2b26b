"""Event and its sections: attributes, [], in, sections(), to_dict(), raw(), str(), repr()."""

import ast
import base64
import json

import pytest

from conftest import import_rete, json_lines

rete = import_rete()

UNSORTED = ["test_events.json", "test_events_packets.json", "test_events_packets_invalid_ct.json"]


def events_and_json(path):
    events = list(rete.EventReader(path))
    lines = json_lines(path)
    assert len(events) == len(lines)
    return list(zip(events, lines))


def snake(name):
    return name.replace("-", "_")


@pytest.fixture(scope="module")
def packets(packets_file):
    """(event, its JSON line) for every event of the packets fixture."""
    return events_and_json(packets_file)


def first_with(pairs, section, without=()):
    for e, j in pairs:
        if section in j and not any(w in j for w in without):
            return e, j
    pytest.fail("no event with %s" % section)


# ---- sections ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", UNSORTED)
def test_sections_names(fixtures_dir, name):
    for e, j in events_and_json(fixtures_dir / name):
        names = e.sections()
        assert isinstance(names, list)
        assert sorted(names) == sorted(snake(k) for k in j)
        assert all("-" not in n for n in names)


def test_sections_of_sorted_events(sorted_file):
    for s, arr in zip(rete.SeriesReader(sorted_file), json_lines(sorted_file)):
        for e, j in zip(s, arr):
            assert sorted(e.sections()) == sorted(snake(k) for k in j)
            if "tracking" in j:
                assert e.tracking.idx == j["tracking"]["idx"]
                assert e.tracking.skb.to_dict() == j["tracking"]["skb"]


@pytest.mark.parametrize("name", UNSORTED)
def test_section_attributes_present(fixtures_dir, name):
    for e, j in events_and_json(fixtures_dir / name):
        for key, value in j.items():
            for spelling in (snake(key), key):
                s = getattr(e, spelling)
                assert s is not None, (key, spelling)
                assert s.to_dict() == value
            assert e[key].to_dict() == value
            assert e[snake(key)].to_dict() == value
            assert key in e and snake(key) in e


def test_absent_sections_are_none_keyerror_and_not_in(packets):
    e, j = first_with(packets, "packet", without=("skb-drop", "ct", "ovs"))
    for key in ("skb-drop", "ct", "ovs", "nft", "userspace", "startup"):
        assert key not in j
        assert getattr(e, snake(key)) is None
        assert key not in e and snake(key) not in e
        with pytest.raises(KeyError):
            e[key]
        with pytest.raises(KeyError):
            e[snake(key)]
    assert "foo" not in e
    with pytest.raises(KeyError) as exc:
        e["skb-drop"]
    assert exc.value.args == ("skb-drop",)


def test_in(packets):
    for e, j in packets:
        for key in ("ct", "ovs", "skb-drop", "skb-tracking", "packet", "startup"):
            assert (key in e) == (key in j)
            assert (snake(key) in e) == (key in j)


def test_startup_event(events_file):
    e, j = events_and_json(events_file)[0]
    assert sorted(e.sections()) == ["common", "startup"]
    assert e.startup.retis_version == "v1.6.0" == j["startup"]["retis_version"]
    assert e.startup.clock_monotonic_offset.sec == 1742309146
    assert e.startup.clock_monotonic_offset.nsec == 691042000
    assert e.kernel is None and e.skb_tracking is None


# ---- fields ------------------------------------------------------------------------------


def check_fields(section, data, path):
    assert section.to_dict() == data, path
    for key, value in data.items():
        got = getattr(section, key)
        assert key in section
        if isinstance(value, dict):
            check_fields(got, value, path + "." + key)
            assert section[key].to_dict() == value
        elif isinstance(value, list):
            assert [g.to_dict() if hasattr(g, "to_dict") else g for g in got] == value, path
        elif path == "packet" and key == "data":
            assert got == base64.b64decode(value)
        else:
            assert got == value and type(got) is type(value), (path, key, got, value)
            assert section[key] == value


@pytest.mark.parametrize("name", UNSORTED)
def test_fields_are_attributes(fixtures_dir, name):
    for e, j in events_and_json(fixtures_dir / name):
        for key, value in j.items():
            check_fields(getattr(e, snake(key)), value, key)


def test_some_fields(packets):
    e, j = packets[1]
    assert e.common.timestamp == 30419169061793
    assert e.common.smp_id == 6
    assert e.common.task.comm == "ping" and e.common.task.pid == 11330
    assert e.kernel.symbol == "net:net_dev_start_xmit"
    assert e.kernel.probe_type == "raw_tracepoint"
    assert e.dev.name == "veth-ns01" and e.dev.ifindex == 11
    assert e.netns.inum == 4026532741
    assert e.skb.meta.len == 98
    assert e.skb.data_ref.users == 1
    assert e.ct.state == "new"
    assert e.ct.orig.ip.src == "192.168.125.10"
    assert e.ct.orig.proto.icmp.id == 29004
    assert e.skb_tracking.orig_head == 18446619372617628672  # above INT64_MAX


def test_unknown_field_raises_attributeerror_naming_the_fields(packets):
    e, _ = packets[1]
    cases = [
        (e.dev, "nope", ["name", "ifindex", "rx_ifindex"]),
        (e.common, "nope", ["timestamp", "smp_id", "task"]),
        (e.common.task, "nope", ["pid", "tgid", "comm"]),
        (e.skb.meta, "nope", ["len", "data_len", "hash", "csum"]),
        (e.skb_tracking, "nope", ["orig_head", "timestamp", "skb"]),
        (e.packet, "nope", ["len", "capture_len", "data"]),
        (e.kernel, "symbl", ["symbol", "probe_type", "stack_trace"]),
    ]
    for section, bad, fields in cases:
        with pytest.raises(AttributeError) as exc:
            getattr(section, bad)
        msg = str(exc.value)
        assert repr(bad) in msg or bad in msg
        for f in fields:
            assert f in msg, (f, msg)
        assert not hasattr(section, bad)


def test_optional_field_absent_is_none(packets):
    # dev.rx_ifindex: absent from the first event, present in the third.
    e1, j1 = packets[1]
    e3, j3 = packets[3]
    assert "rx_ifindex" not in j1["dev"] and j3["dev"]["rx_ifindex"] == 10
    assert e1.dev.rx_ifindex is None
    assert e3.dev.rx_ifindex == 10
    assert hasattr(e1.dev, "rx_ifindex")
    assert "rx_ifindex" not in e1.dev
    with pytest.raises(KeyError):
        e1.dev["rx_ifindex"]
    # Other optional fields and objects these events lack.
    assert e1.kernel.stack_trace is None
    assert e1.skb.gso is None and e1.skb.vlan_accel is None
    assert e1.ct.labels is None and e1.ct.parent is None
    assert e1.ct.orig.proto.tcp is None
    drop, jd = first_with(packets, "skb-drop")
    assert set(jd["skb-drop"]) == {"drop_reason"}
    assert drop.skb_drop.drop_reason == "NO_SOCKET"
    assert drop.skb_drop.subsys is None
    startup = packets[0][0]
    assert startup.startup.cmdline is None and startup.startup.machine is None


def test_ct_proto_alternatives(packets):
    e, _ = packets[1]
    proto = e.ct.orig.proto
    assert proto.icmp.type == 8
    assert proto.tcp is None
    assert proto.udp is None
    assert proto.sctp is None
    with pytest.raises(AttributeError):
        proto.icmp.nope


def test_events_are_read_only(packets):
    e, _ = packets[1]
    with pytest.raises(AttributeError):
        e.skb = None
    with pytest.raises(AttributeError):
        e.dev.name = "eth0"
    assert e.dev.name == "veth-ns01"


def test_section_helpers(packets):
    e, j = packets[1]
    assert list(e.dev) == list(j["dev"])
    assert e.dev == j["dev"]
    assert e.dev == packets[1][0].dev
    assert e.dev != packets[3][0].dev
    assert repr(e.dev) == repr(j["dev"])
    d = e.dev.to_dict()
    d["name"] = "changed"
    assert e.dev.name == "veth-ns01"


# ---- to_dict, raw, repr ------------------------------------------------------------------


@pytest.mark.parametrize("name", UNSORTED)
def test_to_dict_is_raw_parsed(fixtures_dir, name):
    for e, j in events_and_json(fixtures_dir / name):
        raw = e.raw()
        assert isinstance(raw, str) and "\n" not in raw
        d = e.to_dict()
        assert isinstance(d, dict)
        assert d == json.loads(raw)
        # rete writes these Retis events back as they were.
        assert d == j


def test_to_dict_of_sorted_events(sorted_file):
    for s, arr in zip(rete.SeriesReader(sorted_file), json_lines(sorted_file)):
        assert [e.to_dict() for e in s] == [json.loads(e.raw()) for e in s] == arr


def test_to_dict_is_a_copy(packets):
    e, j = packets[1]
    d = e.to_dict()
    d["dev"]["name"] = "changed"
    del d["skb"]
    assert e.to_dict() == j
    assert e.dev.name == "veth-ns01"


def test_repr_is_the_dict(packets):
    for e, _ in packets:
        assert repr(e) == repr(e.to_dict())
        assert ast.literal_eval(repr(e)) == e.to_dict()


# ---- str: the text of rete print ---------------------------------------------------------


def print_blocks(text):
    """`rete print` output cut into one block per event: events end with a blank line."""
    assert text.endswith("\n\n"), repr(text[-40:])
    blocks = text[:-2].split("\n\n")
    return [normalize(b) for b in blocks]


def normalize(text):
    return "\n".join(line.rstrip() for line in text.rstrip().split("\n"))


@pytest.mark.parametrize("name", UNSORTED)
def test_str_is_rete_print(fixtures_dir, rete_print, name):
    path = fixtures_dir / name
    blocks = print_blocks(rete_print(path))
    events = list(rete.EventReader(path))
    assert len(blocks) == len(events)
    for i, (e, block) in enumerate(zip(events, blocks)):
        s = str(e)
        assert s.strip() and not s.startswith("\n")
        assert normalize(s) == block, "event %d" % i
        assert "\n\n" not in s


def test_str_of_packets_events(packets_file, rete_print):
    """The brief's case, spelled out: every event of test_events_packets.json."""
    out = rete_print(packets_file)
    events = list(rete.EventReader(packets_file))
    assert "\n\n".join(normalize(str(e)) for e in events) == normalize(out)
    assert len(events) == 27


def test_format_single_line_is_rete_print(packets_file, rete_print):
    out = rete_print(packets_file, "--format", "single-line")
    lines = [line.rstrip() for line in out.splitlines() if line.strip()]
    events = list(rete.EventReader(packets_file))
    assert [e.format(single_line=True).rstrip() for e in events] == lines


def test_format_link_layer_is_rete_print_e(packets_file, rete_print):
    blocks = print_blocks(rete_print(packets_file, "-e"))
    events = list(rete.EventReader(packets_file))
    assert [normalize(e.format(link_layer=True)) for e in events] == blocks
    assert "fa:5c:bd:8e:cc:01" in blocks[1] or "a6:c2:11:71:59:45" in blocks[1]
    assert normalize(events[1].format()) == normalize(str(events[1]))
