# Generates a rete event file for the post-processing benchmark (bench/run.sh postproc):
#   awk -v n=1000000 -f bench/gen_events.awk > events.json
# One startup line, then n events in series of 4 (a ping request: transmit in netns A, receive
# in netns B, the reply's transmit in B and its drop in A), 16 series in flight at a time and
# interleaved as on a busy host, each event with common, kernel, skb-tracking, packet (98
# bytes, base64), dev and netns sections; the last of a series carries skb-drop and a stack.
BEGIN {
	if (!n) n = 1000000
	pkt = "AAAAAAACAAAAAAABCABFAABUQKVAAEABdGDAAAIBwAACAggAPMAcTAABZnVs" \
	      "ZAAAAACpiQsAAAAAABAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc="
	step_sym[0] = "net:net_dev_start_xmit"; step_dev[0] = "va"; step_ns[0] = 4026532177
	step_sym[1] = "net:netif_receive_skb"; step_dev[1] = "vb"; step_ns[1] = 4026532246
	step_sym[2] = "net:net_dev_start_xmit"; step_dev[2] = "vb"; step_ns[2] = 4026532246
	step_sym[3] = "skb:kfree_skb"; step_dev[3] = "va"; step_ns[3] = 4026532177
	printf "{\"startup\":{\"retis_version\":\"rete-bench\",\"clock_monotonic_offset\":" \
	       "{\"sec\":1700000000,\"nsec\":0},\"machine\":{\"kernel_release\":\"6.18\"," \
	       "\"kernel_version\":\"#1\",\"hardware_name\":\"x86_64\"}}}\n"
	ts = 1000000000
	written = 0
	for (block = 0; written < n; block++) {
		for (step = 0; step < 4 && written < n; step++) {
			for (s = 0; s < 16 && written < n; s++) {
				series = block * 16 + s
				ts += 731
				head = 18446616568293939200 + series * 4096
				first = 1000000000 + series * 11696
				skb = 18446616546229617920 + series * 8192
				line = sprintf("{\"common\":{\"timestamp\":%d,\"smp_id\":%d,\"task\":{\"pid\":%d," \
					"\"tgid\":%d,\"comm\":\"ping\"}},\"kernel\":{\"symbol\":\"%s\"," \
					"\"probe_type\":\"raw_tracepoint\"", ts, s % 2, 8000 + s, 8000 + s,
					step_sym[step])
				if (step == 3)
					line = line ",\"stack_trace\":[\"kfree_skb_reason+0x5c\"," \
						"\"icmp_rcv+0x1a4\",\"ip_protocol_deliver_rcu+0x3c\"," \
						"\"ip_local_deliver_finish+0x77\",\"__netif_receive_skb_one_core+0x89\"]"
				line = line sprintf("},\"skb-tracking\":{\"orig_head\":%.0f,\"timestamp\":%d," \
					"\"skb\":%.0f}", head, first, skb)
				if (step == 3)
					line = line ",\"skb-drop\":{\"drop_reason\":\"NO_SOCKET\"}"
				line = line sprintf(",\"packet\":{\"len\":98,\"capture_len\":98,\"data\":\"%s\"}," \
					"\"dev\":{\"name\":\"%s\",\"ifindex\":2},\"netns\":{\"cookie\":%d," \
					"\"inum\":%.0f}}", pkt, step_dev[step], 4099 + (step_ns[step] % 7),
					step_ns[step])
				print line
				written++
			}
		}
	}
}
