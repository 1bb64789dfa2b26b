/*
 * libFuzzer harness: captured packet bytes through the dissector and text
 * formatter (`print`'s packet line), with and without the link layer, and
 * with an original length beyond the captured bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "events/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rete_text_opts plain = { 0 }, l2 = { .link_layer = true };
	struct rete_strbuf out = RETE_STRBUF_INIT;
	uint32_t cap = size > 65535 ? 65535 : (uint32_t)size;

	rete_text_packet(data, cap, cap, &plain, &out);
	rete_text_packet(data, cap, cap + 1000, &l2, &out);
	rete_strbuf_free(&out);
	return 0;
}
