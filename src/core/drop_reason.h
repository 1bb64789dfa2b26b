/* Drop reason names, resolved from kernel BTF at run time. */
#ifndef RETE_CORE_DROP_REASON_H
#define RETE_CORE_DROP_REASON_H

#include <stddef.h>
#include <stdint.h>

struct btf;

/*
 * Name the raw drop reason value as Retis does: reason ("NO_SOCKET" for core
 * reasons, the full enumerator for other subsystems: "OVS_DROP_LAST_ACTION")
 * and subsystem ("" for the core subsystem, else e.g. "openvswitch"). Unknown
 * values are written as their number (subsystem bits included), a negative
 * value is "NOT_SPECIFIED". Returns 0 or -errno.
 */
int rete_drop_reason_name(const struct btf *btf, int32_t value, char *reason, size_t rlen,
			  char *subsys, size_t slen);

#endif
