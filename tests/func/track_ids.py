#!/usr/bin/python3
"""track_ids.py - check that no tracking id of an event file covers two distinct packets.

    track_ids.py FILE [--proto udp|tcp|icmp] [--port N] [--min-ids N] [--sample N]

Every event with a packet and a skb-tracking section is reduced to the identity of the packet
it shows, from fields that stay the same along one packet's journey (forwarding, NAT, header
rewrites) and differ between the packets the tests send:
  udp   the payload (tests send a unique payload per datagram);
  tcp   sequence and acknowledgment numbers, flags and the payload prefix;
  icmp  type, sequence number and the payload prefix.
Events are selected by --proto and, for udp/tcp, --port (either side, before or after NAT:
the test picks ports nothing else uses). Prints one line
  "ids=N packets=N merged_ids=N worst=N"
(merged_ids: ids carrying more than one identity, worst: most identities on one id) and, for
the first merged ids, the identities they carry. Exits 1 when an id is merged or fewer than
--min-ids ids were seen. --sample N checks only every Nth id (large floods).
"""
import base64
import json
import struct
import sys


def l3_offset(data):
    """Offset of the IP header: packets start at the MAC header (or a zeroed one)."""
    off = 12
    ethertype = struct.unpack_from("!H", data, off)[0]
    while ethertype in (0x8100, 0x88A8) and len(data) >= off + 6:
        off += 4
        ethertype = struct.unpack_from("!H", data, off)[0]
    return off + 2, ethertype


def identity(data, proto, port):
    if len(data) < 34:
        return None
    off, ethertype = l3_offset(data)
    if ethertype == 0x0800:
        ihl = (data[off] & 0x0F) * 4
        l4proto = data[off + 9]
        l4 = off + ihl
    elif ethertype == 0x86DD:
        l4proto = data[off + 6]
        l4 = off + 40
    else:
        return None
    want = {"udp": 17, "tcp": 6, "icmp": 1 if ethertype == 0x0800 else 58}[proto]
    if l4proto != want or len(data) < l4 + 8:
        return None
    if proto in ("udp", "tcp"):
        sport, dport = struct.unpack_from("!HH", data, l4)
        if port and port not in (sport, dport):
            return None
    if proto == "udp":
        return ("udp", bytes(data[l4 + 8:]))
    if proto == "tcp":
        if len(data) < l4 + 20:
            return None
        seq, ack = struct.unpack_from("!II", data, l4 + 4)
        doff = (data[l4 + 12] >> 4) * 4
        flags = data[l4 + 13]
        return ("tcp", seq, ack, flags, bytes(data[l4 + doff:l4 + doff + 32]))
    icmp_type = data[l4]
    seq = struct.unpack_from("!H", data, l4 + 6)[0]
    return ("icmp", icmp_type, seq, bytes(data[l4 + 8:l4 + 24]))


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    opts = {"--proto": "udp", "--port": "0", "--min-ids": "1", "--sample": "1"}
    while args:
        k = args.pop(0)
        opts[k] = args.pop(0)
    proto, port = opts["--proto"], int(opts["--port"])
    ids = {}
    packets = set()
    with open(path) as f:
        for line in f:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            t = ev.get("skb-tracking")
            p = ev.get("packet")
            if not t or not p or "data" not in p:
                continue
            ident = identity(base64.b64decode(p["data"]), proto, port)
            if ident is None:
                continue
            key = "%x-%x" % (t["timestamp"], t["orig_head"])
            ids.setdefault(key, set()).add(ident)
            packets.add(ident)
    sample = int(opts["--sample"])
    checked = [k for i, k in enumerate(sorted(ids)) if i % sample == 0]
    merged = [k for k in checked if len(ids[k]) > 1]
    worst = max((len(ids[k]) for k in checked), default=0)
    print("ids=%d packets=%d merged_ids=%d worst=%d" % (len(ids), len(packets), len(merged), worst))
    for k in merged[:3]:
        print("  id %s carries %d packets: %s" % (k, len(ids[k]), sorted(ids[k], key=repr)[:4]))
    if merged or len(ids) < int(opts["--min-ids"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
