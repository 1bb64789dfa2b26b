/*
 * libFuzzer harness: a stored-event filter expression (`print -m`), parsed,
 * then evaluated on an event that has every modelled and described section.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "process/evfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char event_json[] =
	"{\"common\":{\"timestamp\":1,\"smp_id\":0,\"task\":{\"pid\":1,\"tgid\":1,\"comm\":\"x\"}},"
	"\"kernel\":{\"symbol\":\"skb:kfree_skb\",\"probe_type\":\"raw_tracepoint\","
	"\"stack_trace\":[\"a+0x1\",\"b+0x2\"]},\"skb-tracking\":{\"orig_head\":1,\"timestamp\":1,"
	"\"skb\":2},\"skb-drop\":{\"drop_reason\":\"NO_SOCKET\"},\"packet\":{\"len\":1,"
	"\"capture_len\":1,\"data\":\"AA==\"},\"netns\":{\"cookie\":3,\"inum\":4},\"dev\":{\"name\":"
	"\"eth0\",\"ifindex\":2},\"ct\":{\"state\":\"new\",\"zone_id\":0,\"zone_dir\":\"Default\","
	"\"orig\":{\"ip\":{\"src\":\"a\",\"dst\":\"b\",\"version\":\"v4\"},\"proto\":{\"tcp\":"
	"{\"sport\":1,\"dport\":2}}},\"reply\":{\"ip\":{\"src\":\"b\",\"dst\":\"a\",\"version\":"
	"\"v4\"},\"proto\":{\"tcp\":{\"sport\":2,\"dport\":1}}},\"mark\":16,\"labels\":{\"hi\":0,"
	"\"lo\":8},\"ct_status\":8},\"nft\":{\"verdict\":\"drop\",\"n\":-2.5}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_object *ev;
	struct rete_metafilter *f = NULL;
	char err[512], *expr;

	if (!ev && !(ev = json_tokener_parse(event_json)))
		abort();
	expr = malloc(size + 1);
	if (!expr)
		return 0;
	memcpy(expr, data, size);
	expr[size] = '\0';
	if (!rete_metafilter_new(expr, &f, err, sizeof(err))) {
		rete_metafilter_match_json(f, ev);
		rete_metafilter_free(f);
	} else if (!err[0]) {
		abort();	/* every refusal says why */
	}
	free(expr);
	return 0;
}
