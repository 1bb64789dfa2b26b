#include <string.h>

#include "lib/prog.h"

static bool as_retis;

void rete_prog_set(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	as_retis = base && !strcmp(base, "retis");
}

const char *rete_prog_name(void)
{
	return as_retis ? "retis" : "rete";
}

bool rete_prog_is_retis(void)
{
	return as_retis;
}

const char *rete_prog_data_file(void)
{
	return as_retis ? "retis.data" : "rete.data";
}

const char *rete_prog_data_rotated(void)
{
	return as_retis ? "retis.data.0.." : "rete.data.0..";
}
