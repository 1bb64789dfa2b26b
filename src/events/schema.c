#include <string.h>

#include "events/schema.h"
#include "events/section.h"
#include "lib/strbuf.h"

/* Field types, as schemars writes them for Retis's integer fields. */
#define T_U8 "\"type\":\"integer\",\"format\":\"uint8\",\"minimum\":0,\"maximum\":255"
#define T_U16 "\"type\":\"integer\",\"format\":\"uint16\",\"minimum\":0,\"maximum\":65535"
#define T_U32 "\"type\":\"integer\",\"format\":\"uint32\",\"minimum\":0"
#define T_U64 "\"type\":\"integer\",\"format\":\"uint64\",\"minimum\":0"
#define T_I32 "\"type\":\"integer\",\"format\":\"int32\""
#define T_I64 "\"type\":\"integer\",\"format\":\"int64\""
#define T_U32_OPT "\"type\":[\"integer\",\"null\"],\"format\":\"uint32\",\"minimum\":0"
#define T_U64_OPT "\"type\":[\"integer\",\"null\"],\"format\":\"uint64\",\"minimum\":0"
#define T_STR "\"type\":\"string\""
#define T_STR_OPT "\"type\":[\"string\",\"null\"]"
#define T_BOOL "\"type\":\"boolean\""
#define REF(name) "\"$ref\":\"#/$defs/" name "\""
#define OPT_REF(name) "\"anyOf\":[{" REF(name) "},{\"type\":\"null\"}]"

/* A top-level section: optional, described by a definition. */
#define SECTION(key, desc, def) "\"" key "\":{\"description\":\"" desc "\"," OPT_REF(def) "}"

static const char schema_head[] =
	"{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
	"\"title\":\"rete event\","
	"\"description\":\"One line of a rete (Retis-compatible) event file. Sections rete "
	"passes through without modelling them (ovs, ovs-detrace, userspace) are "
	"not described.\","
	"\"type\":\"object\","
	"\"properties\":{"
	SECTION("common", "Common section.", "CommonEvent") ","
	SECTION("kernel", "Kernel section.", "KernelEvent") ","
	SECTION("tracking", "Tracking section (added by sort).", "TrackingInfo") ","
	SECTION("packet", "Packet section.", "PacketEvent") ","
	SECTION("startup", "Startup event.", "StartupEvent");

/* Definitions of the sections above; those of described sections follow. */
static const char schema_defs[] =

	"\"CommonEvent\":{\"description\":\"Common section.\",\"type\":\"object\","
	"\"properties\":{"
	"\"timestamp\":{\"description\":\"Timestamp (CLOCK_MONOTONIC, ns).\"," T_U64 "},"
	"\"smp_id\":{\"description\":\"SMP processor ID.\"," T_U32_OPT "},"
	"\"task\":{\"description\":\"Linux task.\"," OPT_REF("TaskEvent") "}"
	"},\"required\":[\"timestamp\"]},"

	"\"TaskEvent\":{\"description\":\"Task information.\",\"type\":\"object\","
	"\"properties\":{"
	"\"pid\":{\"description\":\"Process ID.\"," T_I32 "},"
	"\"tgid\":{\"description\":\"Thread group ID.\"," T_I32 "},"
	"\"comm\":{\"description\":\"Task name.\"," T_STR "}"
	"},\"required\":[\"pid\",\"tgid\",\"comm\"]},"

	"\"KernelEvent\":{\"description\":\"Kernel section.\",\"type\":\"object\","
	"\"properties\":{"
	"\"symbol\":{\"description\":\"Symbol name: the probe that made the event.\"," T_STR "},"
	"\"probe_type\":{\"description\":\"Probe type: kprobe, kretprobe or raw_tracepoint.\","
	T_STR "},"
	"\"stack_trace\":{\"description\":\"Stack trace.\"," OPT_REF("StackTrace") "}"
	"},\"required\":[\"symbol\",\"probe_type\"]},"

	"\"StackTrace\":{\"description\":\"Kernel stack trace, innermost first (symbol+0xoff).\","
	"\"type\":\"array\",\"items\":{" T_STR "}},"

	"\"TrackingInfo\":{\"description\":\"Tracking section, added by sort.\","
	"\"type\":\"object\",\"properties\":{"
	"\"skb\":{\"description\":\"Tracking information of the original packet.\","
	REF("SkbTrackingEvent") "},"
	"\"idx\":{\"description\":\"Index in the event series.\"," T_U32 "}"
	"},\"required\":[\"skb\",\"idx\"]},"

	"\"PacketEvent\":{\"description\":\"Packet section: the first bytes of the packet.\","
	"\"type\":\"object\",\"properties\":{"
	"\"len\":{\"description\":\"Packet length.\"," T_U32 "},"
	"\"capture_len\":{\"description\":\"Captured length (<= len).\"," T_U32 "},"
	"\"data\":{\"description\":\"Captured bytes from the Ethernet header, base64.\","
	T_STR ",\"contentEncoding\":\"base64\"}"
	"},\"required\":[\"len\",\"capture_len\",\"data\"]},"

	"\"StartupEvent\":{\"description\":\"Startup section: the collection as a whole, on the "
	"first line of every file.\",\"type\":\"object\",\"properties\":{"
	"\"retis_version\":{\"description\":\"Version of the collecting tool.\"," T_STR "},"
	"\"cmdline\":{\"description\":\"Command line of the collection.\"," T_STR "},"
	"\"clock_monotonic_offset\":{\"description\":\"CLOCK_MONOTONIC offset to wall time.\","
	REF("TimeSpec") "},"
	"\"machine\":{\"description\":\"Machine the events were collected on.\","
	REF("MachineInfo") "},"
	"\"split_file\":{\"description\":\"Set in rotated files.\"," OPT_REF("SplitFile") "}"
	"},\"required\":[\"retis_version\",\"clock_monotonic_offset\"]},"

	"\"TimeSpec\":{\"description\":\"A struct timespec.\",\"type\":\"object\","
	"\"properties\":{\"sec\":{" T_I64 "},\"nsec\":{" T_I64 "}},"
	"\"required\":[\"sec\",\"nsec\"]},"

	"\"MachineInfo\":{\"description\":\"Machine information.\",\"type\":\"object\","
	"\"properties\":{"
	"\"kernel_release\":{\"description\":\"Kernel release.\"," T_STR "},"
	"\"kernel_version\":{\"description\":\"Kernel version.\"," T_STR "},"
	"\"hardware_name\":{\"description\":\"Hardware name.\"," T_STR "}"
	"},\"required\":[\"kernel_release\",\"kernel_version\",\"hardware_name\"]},"

	"\"SplitFile\":{\"description\":\"Rotated file: its index and the rotation policy.\","
	"\"type\":\"object\",\"properties\":{"
	"\"id\":{\"description\":\"Index of the file (the FILE.id suffix).\"," T_U32 "},"
	"\"policy\":{\"description\":\"Rotation policy.\"," REF("RotationPolicy") "}"
	"},\"required\":[\"id\",\"policy\"]},"

	"\"RotationPolicy\":{\"description\":\"Rotation policy.\",\"type\":\"object\","
	"\"properties\":{"
	"\"kind\":{\"description\":\"Policy kind; only size.\"," T_STR ",\"const\":\"size\"},"
	"\"limit\":{\"description\":\"Size limit of one file, in bytes.\"," T_U64 "}"
	"},\"required\":[\"kind\",\"limit\"]}";

/* Built once: the static parts plus the sections described by their collectors. */
static struct rete_strbuf built;

static int build(struct rete_strbuf *out)
{
	const char *seen[64];
	size_t nseen = 0;
	bool first = false;

	rete_strbuf_adds(out, schema_head);
	for (size_t i = 0; i < rete_xsections_count(); i++) {
		const struct rete_section_desc *d = rete_xsection(i);

		rete_strbuf_addf(out, ",\"%s\":{\"description\":\"%s\",\"anyOf\":[{\"$ref\":"
				      "\"#/$defs/%s\"},{\"type\":\"null\"}]}",
				 d->name, d->doc ? d->doc : "", d->fields->def);
	}
	rete_strbuf_adds(out, "},\"$defs\":{");
	rete_strbuf_adds(out, schema_defs);
	for (size_t i = 0; i < rete_xsections_count(); i++)
		rete_fields_schema_defs(rete_xsection(i)->fields, out, &first, seen, &nseen,
					sizeof(seen) / sizeof(seen[0]));
	rete_strbuf_adds(out, "}}");
	return out->err;
}

const char *rete_event_schema(size_t *ret_len)
{
	if (!built.len && build(&built)) {
		rete_strbuf_free(&built);
		if (ret_len)
			*ret_len = 0;
		return "";
	}
	if (ret_len)
		*ret_len = built.len;
	return built.buf;
}
