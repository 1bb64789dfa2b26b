"""packet.data (bytes) and packet.to_scapy(): the headers Scapy decodes are the event's."""

import base64
import json
import re

import pytest

from conftest import import_rete, json_lines, lines_of, run_python

rete = import_rete()
inet = pytest.importorskip("scapy.layers.inet", reason="python3-scapy is not installed")
inet6 = pytest.importorskip("scapy.layers.inet6", reason="python3-scapy is not installed")
l2 = pytest.importorskip("scapy.layers.l2", reason="python3-scapy is not installed")
from scapy.packet import Raw  # noqa: E402

Ether, IP, ICMP, TCP, UDP, IPv6 = l2.Ether, inet.IP, inet.ICMP, inet.TCP, inet.UDP, inet6.IPv6

PACKET_FILES = ["test_events_packets.json", "test_events_packets_invalid_ct.json"]

# The IPv4 line of `rete print` (Retis's layout).
IPV4_LINE = re.compile(
    r"^  (?P<src>\d+\.\d+\.\d+\.\d+)(?:\.(?P<sport>\d+))?"
    r" > (?P<dst>\d+\.\d+\.\d+\.\d+)(?:\.(?P<dport>\d+))?"
    r" tos (?P<tos>0x[0-9a-f]+) ttl (?P<ttl>\d+) id (?P<id>\d+) off (?P<off>\d+)"
    r"(?: \[(?P<flags>[^\]]*)\])? len (?P<len>\d+) proto (?P<pname>\w+) \((?P<proto>\d+)\)"
    r"(?P<rest>.*)$")


def packet_events(path):
    pairs = list(zip(rete.EventReader(path), json_lines(path)))
    return [(e, j) for e, j in pairs if "packet" in j]


@pytest.mark.parametrize("name", PACKET_FILES)
def test_data_is_bytes_of_capture_len(fixtures_dir, name):
    pairs = packet_events(fixtures_dir / name)
    assert len(pairs) >= 16
    for e, j in pairs:
        data = e.packet.data
        assert isinstance(data, bytes)
        assert len(data) == e.packet.capture_len == j["packet"]["capture_len"]
        assert e.packet.len == j["packet"]["len"] >= e.packet.capture_len
        assert data == base64.b64decode(j["packet"]["data"])
        # The section as data keeps the file's base64 text.
        assert e.packet.to_dict()["data"] == j["packet"]["data"]


def test_events_without_packet(events_file):
    for e in rete.EventReader(events_file):
        assert e.packet is None and "packet" not in e


@pytest.mark.parametrize("name", PACKET_FILES)
def test_to_scapy_is_the_packet(fixtures_dir, name):
    for e, j in packet_events(fixtures_dir / name):
        pkt = e.packet.to_scapy()
        assert isinstance(pkt, Ether)
        assert bytes(pkt) == e.packet.data
        assert pkt.type == 0x0800
        assert IP in pkt and ICMP in pkt, pkt.summary()


@pytest.mark.parametrize("name", PACKET_FILES)
def test_to_scapy_headers_are_the_ones_rete_print_shows(fixtures_dir, rete_print, name):
    path = fixtures_dir / name
    blocks = rete_print(path)[:-2].split("\n\n")
    events = list(rete.EventReader(path))
    assert len(blocks) == len(events)
    checked = 0
    for e, block in zip(events, blocks):
        if e.packet is None:
            continue
        m = IPV4_LINE.match(block.split("\n")[1])
        assert m, block
        ip = e.packet.to_scapy()[IP]
        assert ip.src == m["src"] and ip.dst == m["dst"]
        assert ip.tos >> 2 == int(m["tos"], 16)  # Retis shows the DSCP as "tos"
        assert ip.ttl == int(m["ttl"])
        assert ip.id == int(m["id"])
        assert ip.frag * 8 == int(m["off"])
        assert ("DF" in ip.flags) == ("DF" in (m["flags"] or ""))
        assert ip.len == int(m["len"])
        assert ip.proto == int(m["proto"]) == 1 and m["pname"] == "ICMP"
        icmp = ip[ICMP]
        assert m["rest"] == " type %d code %d" % (icmp.type, icmp.code)
        checked += 1
    assert checked >= 16


@pytest.mark.parametrize("name", PACKET_FILES)
def test_to_scapy_headers_are_the_ones_of_the_ct_section(fixtures_dir, name):
    checked = 0
    pairs = packet_events(fixtures_dir / name)
    for e, j in pairs:
        if "ct" not in j:
            continue
        ip = e.packet.to_scapy()[IP]
        ct = j["ct"]
        # The tuple the packet travels in: its source is the packet's.
        tup = ct["orig"] if ct["orig"]["ip"]["src"] == ip.src else ct["reply"]
        assert (tup["ip"]["src"], tup["ip"]["dst"]) == (ip.src, ip.dst)
        assert tup["ip"]["version"] == "v4" and ip.version == 4
        assert ip.proto == 1 and "icmp" in tup["proto"]
        assert ip[ICMP].type == tup["proto"]["icmp"]["type"]
        assert ip[ICMP].code == tup["proto"]["icmp"]["code"]
        assert ip[ICMP].id == tup["proto"]["icmp"]["id"]
        assert e.ct.orig.ip.src == ct["orig"]["ip"]["src"]
        checked += 1
    assert checked == sum(1 for _, j in pairs if "ct" in j) >= 4


def test_to_scapy_ether_addresses(packets_file, rete_print):
    blocks = rete_print(packets_file, "-e")[:-2].split("\n\n")
    for e, block in zip(rete.EventReader(packets_file), blocks):
        if e.packet is None:
            continue
        pkt = e.packet.to_scapy()
        assert "%s > %s ethertype IPv4 (0x0800)" % (pkt.src, pkt.dst) in block


# ---- TCP and UDP: events made here from a fixture event with another packet ---------------

TCP_PKT = dict(src="10.1.2.3", dst="10.4.5.6", ttl=61, id=4242, tos=0x10,
               sport=43210, dport=443, flags="PA", seq=123456789, ack=987654321, window=502)


def event_file_with_packets(packets_file, path, pkts):
    """path: the fixture's startup line then one event per packet (the fixture's first
    non-startup event with its packet replaced and its ct section removed)."""
    lines = lines_of(packets_file)
    base = json.loads(lines[1])
    base.pop("ct", None)
    out = [lines[0]]
    for p in pkts:
        raw = bytes(p)
        ev = dict(base, packet={"len": len(raw), "capture_len": len(raw),
                                "data": base64.b64encode(raw).decode()})
        out.append(json.dumps(ev))
    path.write_text("\n".join(out) + "\n")
    return path


def test_tcp_fields(packets_file, rete_print, tmp_path):
    t = TCP_PKT
    sent = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
            / IP(src=t["src"], dst=t["dst"], ttl=t["ttl"], id=t["id"], tos=t["tos"])
            / TCP(sport=t["sport"], dport=t["dport"], flags=t["flags"], seq=t["seq"],
                  ack=t["ack"], window=t["window"])
            / Raw(b"x" * 20))
    path = event_file_with_packets(packets_file, tmp_path / "tcp.json", [sent])
    e = list(rete.EventReader(path))[1]
    assert len(e.packet.data) == e.packet.capture_len == len(bytes(sent))
    pkt = e.packet.to_scapy()
    assert isinstance(pkt, Ether) and TCP in pkt
    ip, tcp = pkt[IP], pkt[TCP]
    assert (ip.src, ip.dst, ip.ttl, ip.id, ip.tos) == \
        (t["src"], t["dst"], t["ttl"], t["id"], t["tos"])
    assert (tcp.sport, tcp.dport, str(tcp.flags), tcp.seq, tcp.ack, tcp.window) == \
        (t["sport"], t["dport"], t["flags"], t["seq"], t["ack"], t["window"])
    assert bytes(tcp.payload) == b"x" * 20
    # rete print shows the same headers.
    block = rete_print(path)[:-2].split("\n\n")[1]
    m = IPV4_LINE.match(block.split("\n")[1])
    assert m, block
    assert (m["src"], int(m["sport"]), m["dst"], int(m["dport"])) == \
        (ip.src, tcp.sport, ip.dst, tcp.dport)
    assert (int(m["ttl"]), int(m["id"]), int(m["len"]), int(m["proto"])) == \
        (ip.ttl, ip.id, ip.len, 6)
    assert int(m["tos"], 16) == ip.tos >> 2
    assert m["rest"].startswith(" flags [P.] seq %d:%d ack %d win %d"
                                % (tcp.seq, tcp.seq + 20, tcp.ack, tcp.window))
    assert str(e) == rete_print(path)[:-2].split("\n\n")[1].rstrip()


def test_udp_over_ipv6_fields(packets_file, rete_print, tmp_path):
    sent = (Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:04")
            / IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=7)
            / UDP(sport=5353, dport=53) / Raw(b"q" * 12))
    path = event_file_with_packets(packets_file, tmp_path / "udp6.json", [sent])
    e = list(rete.EventReader(path))[1]
    pkt = e.packet.to_scapy()
    assert isinstance(pkt, Ether) and UDP in pkt
    assert (pkt[IPv6].src, pkt[IPv6].dst, pkt[IPv6].hlim) == ("2001:db8::1", "2001:db8::2", 7)
    assert (pkt[UDP].sport, pkt[UDP].dport, pkt[UDP].len) == (5353, 53, 20)
    line = rete_print(path)[:-2].split("\n\n")[1].split("\n")[1]
    assert line.startswith("  2001:db8::1.5353 > 2001:db8::2.53 ttl 7 "), line
    assert "proto UDP (17) len 12" in line


# ---- to_scapy in a fresh interpreter ----------------------------------------------------

FRESH = r"""
import sys, rete
e = [e for e in rete.EventReader(sys.argv[1]) if e.packet][0]
p = e.packet.to_scapy()
print(type(p).__name__, p.payload.name, p.payload.payload.name)
"""


def test_to_scapy_decodes_ip_without_importing_scapy_first(packets_file):
    proc = run_python(FRESH, packets_file)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["Ether", "IP", "ICMP"]
