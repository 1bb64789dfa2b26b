/*
 * Filters on stored events: meta expressions (every construct, the
 * semantics of missing fields, types, arrays, extra sections, and every
 * error), pcap-filter on packet bytes, and both together on events.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "events/event.h"
#include "events/json.h"
#include "process/evfilter.h"

static char err[512];

/* An event in the Retis 1.6 layout with a ct section and a stack trace. */
static const char *const EVENT =
	"{\"common\":{\"timestamp\":30419169061793,\"smp_id\":6,\"task\":{\"pid\":11330,"
	"\"tgid\":11330,\"comm\":\"ping\"}},"
	"\"kernel\":{\"symbol\":\"skb:kfree_skb\",\"probe_type\":\"raw_tracepoint\","
	"\"stack_trace\":[\"kfree_skb_reason+0x1\",\"ip_rcv+0x20\"]},"
	"\"skb-tracking\":{\"orig_head\":18446619372617628672,\"timestamp\":30419169061793,"
	"\"skb\":18446619372874141952},"
	"\"skb-drop\":{\"drop_reason\":\"NO_SOCKET\"},"
	"\"skb\":{\"data_ref\":{\"nohdr\":false,\"cloned\":true,\"fclone\":0,\"users\":1,"
	"\"dataref\":1}},"
	"\"netns\":{\"cookie\":3,\"inum\":4026532741},"
	"\"dev\":{\"name\":\"veth01\",\"ifindex\":11},"
	"\"userspace\":{\"state\":\"new\",\"zone_id\":0,\"mark\":-2,\"ratio\":0.5},"
	"\"nft\":{\"table_name\":\"filter\",\"chain_name\":\"input\",\"verdict\":\"drop\","
	"\"table_handle\":-2,\"chain_handle\":1,\"rule_handle\":4,\"policy\":false},"
	"\"ct\":{\"state\":\"new\",\"zone_id\":0,\"orig\":{\"ip\":{\"src\":\"192.168.125.10\"}},"
	"\"mark\":16}}";

static struct json_object *event_json(void)
{
	struct json_object *o = json_tokener_parse(EVENT);

	assert_non_null(o);
	return o;
}

/* Does expr match EVENT? Fails the test when it does not parse. */
static bool m(const char *expr)
{
	struct rete_metafilter *f = NULL;
	struct json_object *o;
	bool res;

	if (rete_metafilter_new(expr, &f, err, sizeof(err)))
		fail_msg("'%s' did not parse: %s", expr, err);
	o = event_json();
	res = rete_metafilter_match_json(f, o);
	json_object_put(o);
	rete_metafilter_free(f);
	return res;
}

static void yes(const char *expr)
{
	if (!m(expr))
		fail_msg("'%s' should match", expr);
}

static void no(const char *expr)
{
	if (m(expr))
		fail_msg("'%s' should not match", expr);
}

/* expr must fail to parse with an error containing want (one line). */
static void bad(const char *expr, const char *want)
{
	struct rete_metafilter *f = NULL;
	int rc = rete_metafilter_new(expr, &f, err, sizeof(err));

	if (rc != -EINVAL)
		fail_msg("'%s': expected -EINVAL, got %d", expr, rc);
	assert_null(f);
	if (!strstr(err, want))
		fail_msg("'%s': error \"%s\" lacks \"%s\"", expr, err, want);
	assert_null(strchr(err, '\n'));
}

/* ---- meta: constructs --------------------------------------------------------- */

static void test_meta_strings(void **state)
{
	yes("kernel.symbol == \"skb:kfree_skb\"");
	no("kernel.symbol == \"skb:consume_skb\"");
	yes("kernel.symbol != \"skb:consume_skb\"");
	yes("skb-drop.drop_reason == 'NO_SOCKET'");
	yes("dev.name == \"veth01\"");
	yes("dev.name < \"veth02\"");
	yes("dev.name <= \"veth01\"");
	yes("dev.name > \"veth\"");
	no("dev.name >= \"x\"");
	yes("common.task.comm == \"ping\"");
	yes("kernel.symbol == \"skb:kfree\\_skb\"");	/* escaped character = itself */
	(void)state;
}

static void test_meta_numbers(void **state)
{
	yes("netns.inum == 4026532741");
	no("netns.inum == 4026531840");
	yes("netns.inum > 4026531840");
	yes("dev.ifindex >= 11");
	yes("dev.ifindex <= 11");
	no("dev.ifindex < 11");
	yes("dev.ifindex == 0xb");
	yes("dev.ifindex != 12");
	yes("dev.ifindex > -1");
	yes("dev.ifindex < 11.5");
	yes("dev.ifindex > 1e1");
	/* 64-bit values above INT64_MAX compare exactly. */
	yes("skb-tracking.orig_head == 18446619372617628672");
	no("skb-tracking.orig_head == 18446619372617628673");
	yes("skb-tracking.orig_head > 9223372036854775807");
	yes("skb-tracking.skb > 18446619372617628672");
	/* Negative and fractional JSON values (an unchecked section). */
	yes("userspace.mark == -2");
	yes("userspace.mark < 0");
	yes("userspace.mark > -3");
	yes("userspace.ratio == 0.5");
	yes("userspace.ratio > 0");
	/* A section described by its collector (ct). */
	yes("ct.mark == 0x10");
	no("ct.mark > 16");
	/* Signed 64-bit fields of a described section (nft's handles). */
	yes("nft.rule_handle == 4");
	no("nft.rule_handle != 4");
	yes("nft.table_handle == -2");
	yes("nft.table_handle < 0");
	yes("nft.table_handle <= -2");
	no("nft.table_handle < -2");
	yes("nft.table_handle > -9223372036854775808");
	yes("nft.chain_handle > -1");
	(void)state;
}

static void test_meta_logic(void **state)
{
	yes("dev.name == \"veth01\" and netns.inum == 4026532741");
	yes("dev.name == \"veth01\" && netns.inum == 4026532741");
	no("dev.name == \"veth01\" and netns.inum == 1");
	yes("dev.name == \"x\" or netns.inum == 4026532741");
	yes("dev.name == \"x\" || netns.inum == 4026532741");
	no("dev.name == \"x\" or netns.inum == 1");
	yes("not dev.name == \"x\"");
	yes("!dev.name == \"x\"");
	yes("! ! dev.name == \"veth01\"");
	no("not (dev.name == \"veth01\")");
	/* and binds tighter than or. */
	yes("dev.name == \"veth01\" or dev.name == \"x\" and netns.inum == 1");
	no("(dev.name == \"veth01\" or dev.name == \"x\") and netns.inum == 1");
	yes("((dev.ifindex == 11))");
	yes("not not not dev.ifindex == 12");
	(void)state;
}

static void test_meta_presence(void **state)
{
	yes("skb-drop");
	yes("ct");
	no("packet");
	yes("not packet");
	yes("dev.ifindex");
	no("dev.rx_ifindex");
	yes("ct.orig.ip.src");
	no("ovs");
	yes("kernel.stack_trace");
	(void)state;
}

/* Missing fields make every comparison false, != included. */
static void test_meta_missing(void **state)
{
	no("packet.len == 98");
	no("packet.len != 98");
	no("dev.rx_ifindex != 3");
	yes("not dev.rx_ifindex == 3");
	no("ovs.event_type == \"upcall\"");
	no("ovs.event_type != \"upcall\"");
	(void)state;
}

static void test_meta_types(void **state)
{
	/* Unchecked sections: a value of another type never matches. */
	no("userspace.state == 1");
	no("userspace.zone_id == \"0\"");
	yes("userspace.state == \"new\"");
	yes("nft.verdict == \"drop\"");
	yes("nft.policy == false");
	no("nft.verdict_chain_name");
	yes("ct.state == \"new\"");
	/* Booleans. */
	yes("skb.data_ref.cloned == true");
	no("skb.data_ref.cloned == false");
	yes("skb.data_ref.nohdr != true");
	(void)state;
}

static void test_meta_arrays(void **state)
{
	yes("kernel.stack_trace == \"ip_rcv+0x20\"");
	no("kernel.stack_trace == \"ip_rcv\"");
	yes("kernel.stack_trace.0 == \"kfree_skb_reason+0x1\"");
	no("kernel.stack_trace.1 == \"kfree_skb_reason+0x1\"");
	no("kernel.stack_trace.5 == \"x\"");
	yes("kernel.stack_trace.1");
	(void)state;
}

static void test_meta_uses(void **state)
{
	struct rete_metafilter *f;

	assert_int_equal(rete_metafilter_new("dev.name == \"x\" or not (ct.state == \"new\")", &f,
					     err, sizeof(err)),
			 0);
	assert_true(rete_metafilter_uses(f, "dev"));
	assert_true(rete_metafilter_uses(f, "ct"));
	assert_false(rete_metafilter_uses(f, "netns"));
	rete_metafilter_free(f);
	(void)state;
}

/* ---- meta: errors ------------------------------------------------------------------ */

static void test_meta_errors(void **state)
{
	bad("devv.name == \"x\"", "unknown section 'devv' at column 1 (did you mean 'dev'?)");
	bad("skb-drp.drop_reason == \"x\"", "(did you mean 'skb-drop'?)");
	bad("dev.name == \"x\" and zzzzzz.a == 1",
	    "unknown section 'zzzzzz' at column 21 (sections: common, kernel");
	bad("dev.nmae == \"x\"",
	    "unknown field 'nmae' in 'dev' at column 5 (did you mean 'name'?)");
	bad("common.task.comn == \"x\"", "unknown field 'comn' in 'task' at column 13");
	bad("dev.name.x == 1", "'name' has no field 'x' (column 10): it is a string");
	bad("netns.inum == \"4026531840\"", "'netns.inum' is a number but the value at column 15 "
					    "is a string");
	bad("dev.name == 3", "'dev.name' is a string but the value at column 13 is a number");
	/* skb and ct are checked against their field tables (src/collectors/). */
	bad("skb.data_ref.users == true",
	    "'skb.data_ref.users' is a number but the value at column 23 is true/false");
	bad("skb.meta.lenn == 1", "unknown field 'lenn' in 'meta' at column 10 (did you mean 'len'?)");
	bad("ct.state == 1", "'ct.state' is a string but the value at column 13 is a number");
	bad("ct.orig.ip.scr == \"x\"",
	    "unknown field 'scr' in 'ip' at column 12 (did you mean 'src'?)");
	bad("ct.zone_dri == \"x\"", "(did you mean 'zone_dir'?)");
	bad("ct.orig.proto.tpc.sport == 1", "(did you mean 'tcp'?)");
	bad("ct.labels.mid == 1", "unknown field 'mid' in 'labels' at column 11 (fields: hi, lo)");
	bad("nft.rule_handel == 4",
	    "unknown field 'rule_handel' in 'nft' at column 5 (did you mean 'rule_handle'?)");
	bad("nft.rule_handle == \"4\"",
	    "'nft.rule_handle' is a number but the value at column 20 is a string");
	bad("nft.verdict == 0", "'nft.verdict' is a string but the value at column 16 is a number");
	bad("dev == \"x\"", "'dev' (column 1) holds fields, not a value");
	bad("common.task == 1", "'common.task' (column 1) holds fields");
	bad("dev.name == veth01", "expected a value after '==' at column 13, got 'veth01' "
				  "(strings are quoted: \"veth01\")");
	bad("dev.name ==", "expected a value after '==' at column 12, got the end");
	bad("dev.name = \"x\"", "unexpected '=' at column 10 (did you mean '=='?)");
	bad("dev.name == \"x\" & dev.ifindex == 1", "did you mean '&&'?");
	bad("dev.name == \"x", "unterminated string starting at column 13");
	bad("(dev.name == \"x\"", "missing ')' for the '(' at column 1");
	bad("dev.name == \"x\")", "unmatched ')' at column 16");
	bad("dev.name == \"x\" dev.ifindex == 1", "expected 'and' or 'or' at column 17");
	bad("dev.name == \"x\" and", "expected a field (like dev.name) at column 20, got the end");
	bad("and dev.name", "expected a field (like dev.name) at column 1, got 'and'");
	bad("", "empty filter expression");
	bad("   ", "empty filter expression");
	bad("dev.ifindex < true", "operator '<' cannot compare with true/false");
	bad("dev..name", "empty field name in 'dev..name'");
	bad("dev.ifindex == 12abc", "invalid number '12abc' at column 16");
	bad("dev.ifindex == 1e999", "invalid number");
	bad("dev.ifindex # 1", "unexpected character '#' at column 13");
	(void)state;
}

static void test_meta_depth(void **state)
{
	char expr[512];
	size_t n = 0;

	for (int i = 0; i < 100; i++)
		expr[n++] = '(';
	n += (size_t)snprintf(expr + n, sizeof(expr) - n, "dev");
	for (int i = 0; i < 100; i++)
		expr[n++] = ')';
	expr[n] = '\0';
	bad(expr, "nested more than 64 levels");
	(void)state;
}

/* ---- packet filter ------------------------------------------------------------------ */

/* Ethernet + IPv4 + ICMP echo request 10.0.0.1 > 10.0.0.2. */
static const uint8_t icmp_pkt[] = {
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	8, 0, 0xf7, 0xff, 0, 0, 0, 0,
};

static void set_packet(struct rete_event *ev, const uint8_t *data, size_t len)
{
	rete_event_set(ev, RETE_SEC_PACKET);
	ev->packet.data = data;
	ev->packet.capture_len = (uint32_t)len;
	ev->packet.len = (uint32_t)len;
}

static void test_packet_filter(void **state)
{
	struct rete_pktfilter *f;
	struct rete_event ev = { 0 };

	set_packet(&ev, icmp_pkt, sizeof(icmp_pkt));
	assert_int_equal(rete_pktfilter_new("icmp and host 10.0.0.2", &f, err, sizeof(err)), 0);
	assert_true(rete_pktfilter_match(f, &ev));
	rete_pktfilter_free(f);
	assert_int_equal(rete_pktfilter_new("icmp[icmptype] == icmp-echo", &f, err, sizeof(err)),
			 0);
	assert_true(rete_pktfilter_match(f, &ev));
	rete_pktfilter_free(f);
	assert_int_equal(rete_pktfilter_new("tcp port 80", &f, err, sizeof(err)), 0);
	assert_false(rete_pktfilter_match(f, &ev));
	/* No packet section, or no bytes: no match. */
	ev.present = 0;
	assert_false(rete_pktfilter_match(f, &ev));
	rete_pktfilter_free(f);
	assert_int_equal(rete_pktfilter_new("", &f, err, sizeof(err)), 0);	/* all packets */
	set_packet(&ev, icmp_pkt, sizeof(icmp_pkt));
	assert_true(rete_pktfilter_match(f, &ev));
	ev.packet.data = NULL;
	assert_false(rete_pktfilter_match(f, &ev));
	rete_pktfilter_free(f);
	(void)state;
}

/* Only the captured part is there: filters reading past it do not match. */
static void test_packet_truncated(void **state)
{
	struct rete_pktfilter *f;
	struct rete_event ev = { 0 };

	set_packet(&ev, icmp_pkt, 20);
	ev.packet.len = sizeof(icmp_pkt);
	assert_int_equal(rete_pktfilter_new("icmp", &f, err, sizeof(err)), 0);
	assert_false(rete_pktfilter_match(f, &ev));
	rete_pktfilter_free(f);
	assert_int_equal(rete_pktfilter_new("ip", &f, err, sizeof(err)), 0);
	assert_true(rete_pktfilter_match(f, &ev));
	rete_pktfilter_free(f);
	assert_int_equal(rete_pktfilter_new("greater 40", &f, err, sizeof(err)), 0);
	assert_true(rete_pktfilter_match(f, &ev));	/* original length counts */
	rete_pktfilter_free(f);
	(void)state;
}

static void test_packet_errors(void **state)
{
	struct rete_pktfilter *f = NULL;

	assert_int_equal(rete_pktfilter_new("tcp port", &f, err, sizeof(err)), -EINVAL);
	assert_null(f);
	assert_non_null(strstr(err, "invalid packet filter 'tcp port': "));
	assert_null(strchr(err, '\n'));
	assert_int_equal(rete_pktfilter_new("ip proto nosuchproto", &f, err, sizeof(err)), -EINVAL);
	assert_null(f);
	(void)state;
}

/* ---- both, on decoded events ------------------------------------------------------------ */

static void read_event(struct rete_event *ev, const char *line)
{
	if (rete_json_read_event(ev, line, strlen(line), err, sizeof(err)))
		fail_msg("%s", err);
}

static void test_evfilter_events(void **state)
{
	struct rete_evfilter *f;
	struct rete_event ev = { 0 }, startup = { 0 };
	size_t tested, passed;

	read_event(&ev, EVENT);
	read_event(&startup, "{\"common\":{\"timestamp\":1},\"startup\":{\"retis_version\":"
			     "\"v1.6.0\",\"clock_monotonic_offset\":{\"sec\":1,\"nsec\":0}}}");

	/* No filter: everything. */
	assert_int_equal(rete_evfilter_new(NULL, NULL, &f, err, sizeof(err)), 0);
	assert_int_equal(rete_evfilter_match(f, &ev), 1);
	rete_evfilter_free(f);

	/* Meta only: modelled and extra sections, on the decoded event. */
	assert_int_equal(rete_evfilter_new(NULL, "ct.state == \"new\" and dev.name == \"veth01\" "
						 "and skb-drop.drop_reason == \"NO_SOCKET\"",
					   &f, err, sizeof(err)),
			 0);
	assert_int_equal(rete_evfilter_match(f, &ev), 1);
	assert_int_equal(rete_evfilter_match(f, &startup), 1);	/* metadata always passes */
	rete_evfilter_free(f);
	assert_int_equal(rete_evfilter_new(NULL, "netns.inum == 1", &f, err, sizeof(err)), 0);
	assert_int_equal(rete_evfilter_match(f, &ev), 0);
	rete_evfilter_free(f);

	/* Packet filter: this event has no packet. */
	assert_int_equal(rete_evfilter_new("icmp", "dev.name == \"veth01\"", &f, err, sizeof(err)),
			 0);
	assert_int_equal(rete_evfilter_match(f, &ev), 0);
	set_packet(&ev, icmp_pkt, sizeof(icmp_pkt));
	assert_int_equal(rete_evfilter_match(f, &ev), 1);
	assert_int_equal(rete_evfilter_match(f, &startup), 1);
	rete_evfilter_counts(f, &tested, &passed);
	assert_int_equal(tested, 2);
	assert_int_equal(passed, 1);
	rete_evfilter_free(f);

	rete_event_free(&ev);
	rete_event_free(&startup);
	(void)state;
}

/* The Retis 1.5 nested skb layout reads into dev/netns: filters see the 1.6 layout. */
static void test_evfilter_old_layout(void **state)
{
	struct rete_evfilter *f;
	struct rete_event ev = { 0 };

	read_event(&ev, "{\"common\":{\"timestamp\":5},\"skb\":{\"dev\":{\"name\":\"eth0\","
			"\"ifindex\":2},\"ns\":{\"netns\":4026531840}}}");
	assert_int_equal(rete_evfilter_new(NULL,
					   "dev.name == \"eth0\" and netns.inum == 4026531840", &f,
					   err, sizeof(err)),
			 0);
	assert_int_equal(rete_evfilter_match(f, &ev), 1);
	rete_evfilter_free(f);
	rete_event_free(&ev);
	(void)state;
}

static void test_evfilter_errors(void **state)
{
	struct rete_evfilter *f = NULL;

	assert_int_equal(rete_evfilter_new("tcp port", NULL, &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "-f: invalid packet filter"));
	assert_int_equal(rete_evfilter_new("tcp", "devv.name == \"x\"", &f, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "-m: unknown section 'devv' at column 1 (did you mean 'dev'?)");
	assert_null(f);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_strings),
		cmocka_unit_test(test_meta_numbers),
		cmocka_unit_test(test_meta_logic),
		cmocka_unit_test(test_meta_presence),
		cmocka_unit_test(test_meta_missing),
		cmocka_unit_test(test_meta_types),
		cmocka_unit_test(test_meta_arrays),
		cmocka_unit_test(test_meta_uses),
		cmocka_unit_test(test_meta_errors),
		cmocka_unit_test(test_meta_depth),
		cmocka_unit_test(test_packet_filter),
		cmocka_unit_test(test_packet_truncated),
		cmocka_unit_test(test_packet_errors),
		cmocka_unit_test(test_evfilter_events),
		cmocka_unit_test(test_evfilter_old_layout),
		cmocka_unit_test(test_evfilter_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
