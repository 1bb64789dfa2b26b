/*
 * ct: the conntrack entry of the packet, from skb->_nfct (ct.bpf.h), on
 * every probe that has an sk_buff. Its section is described in
 * ct_section.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "collectors/ct/ct_section.h"
#include "core/collector.h"

/* Where conntrack is a module, its types are in the module's BTF. */
#define CT_MODULE_BTF "/sys/kernel/btf/nf_conntrack"

static int ct_check(const struct btf *btf, char *why, size_t whylen)
{
	int id = btf__find_by_name_kind(btf, "sk_buff", BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_member *m;
	bool nfct = false;

	for (int i = 0; t && i < btf_vlen(t); i++) {
		m = btf_members(t) + i;
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "_nfct"))
			nfct = true;
	}
	if (!nfct) {
		snprintf(why, whylen, "this kernel is built without conntrack (no sk_buff._nfct)");
		return -EOPNOTSUPP;
	}
	if (btf__find_by_name_kind(btf, "nf_conn", BTF_KIND_STRUCT) < 0 &&
	    access(CT_MODULE_BTF, R_OK)) {
		snprintf(why, whylen, "conntrack is not loaded (load it with 'modprobe nf_conntrack')");
		return -ENOENT;
	}
	return 0;
}

const struct rete_collector_ops rete_collector_ct = {
	.name = "ct",
	.check = ct_check,
	.cfg_switch = RETE_CFG_SWITCH(ct),
	.section = &rete_section_ct,
};
