/*
 * Feature probes: each answers "does this work here, and if not, why" by
 * trying the smallest thing that would fail the same way rete would.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "core/kernel.h"
#include "core/session.h"
#include "lib/parse.h"

/* The kernel-internal ENOTSUPP, which some BPF paths leak to userspace. */
#define KERNEL_ENOTSUPP 524

typedef int (*feature_fn)(const struct btf *btf, char *why, size_t whylen);

/* r0 = 0; exit */
static const struct bpf_insn return_zero[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

#define RETURN_ZERO_LEN (sizeof(return_zero) / sizeof(return_zero[0]))

static int load_refused(int err, const char *what, char *why, size_t whylen)
{
	uint64_t caps = 0;
	bool privileged = false;

	if (!rete_kernel_caps(&caps))
		privileged = (rete_cap_has(caps, RETE_CAP_BPF) &&
			      rete_cap_has(caps, RETE_CAP_PERFMON)) ||
			     rete_cap_has(caps, RETE_CAP_SYS_ADMIN);

	if ((err == EPERM || err == EACCES) && privileged)
		snprintf(why, whylen,
			 "the kernel refuses %s programs (%s) even with CAP_BPF, CAP_PERFMON and "
			 "CAP_SYS_ADMIN",
			 what, strerror(err));
	else if (err == EPERM || err == EACCES)
		snprintf(why, whylen,
			 "loading a %s program was refused (%s): run as root, or with CAP_BPF "
			 "and CAP_PERFMON",
			 what, strerror(err));
	else
		snprintf(why, whylen, "loading a %s program failed: %s", what, strerror(err));
	return -err;
}

static int feat_btf(const struct btf *btf, char *why, size_t whylen)
{
	if (access(RETE_KERNEL_BTF_PATH, R_OK)) {
		int err = errno;

		snprintf(why, whylen,
			 err == ENOENT ? "no " RETE_KERNEL_BTF_PATH ": the kernel was built "
					 "without CONFIG_DEBUG_INFO_BTF" :
					 "cannot read " RETE_KERNEL_BTF_PATH ": %s",
			 strerror(err));
		return -err;
	}
	return 0;
}

static int feat_raw_tp(const struct btf *btf, char *why, size_t whylen)
{
	int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "rete_feat_rawtp", "GPL",
			       return_zero, RETURN_ZERO_LEN, NULL);

	if (fd < 0)
		return load_refused(errno, "raw tracepoint", why, whylen);
	close(fd);
	return 0;
}

static int feat_raw_tp_cookie(const struct btf *btf, char *why, size_t whylen)
{
	if (!btf) {
		snprintf(why, whylen, "needs kernel BTF to tell");
		return -ENOENT;
	}
	if (!rete_kernel_has_raw_tp_cookie(btf)) {
		snprintf(why, whylen,
			 "struct bpf_raw_tp_link has no cookie (kernels before 6.10): rete loads "
			 "one program per tracepoint instead");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int feat_kprobe(const struct btf *btf, char *why, size_t whylen)
{
	if (access(RETE_KPROBE_PMU, F_OK)) {
		snprintf(why, whylen,
			 "the kernel was built without CONFIG_KPROBES (no " RETE_KPROBE_PMU ")");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int feat_kprobe_multi(const struct btf *btf, char *why, size_t whylen)
{
	/* A symbol that cannot exist: a kernel with kprobe.multi answers ESRCH or ENOENT. */
	const char *syms[] = { "rete_feature_probe_no_such_symbol" };
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .expected_attach_type = BPF_TRACE_KPROBE_MULTI);
	LIBBPF_OPTS(bpf_link_create_opts, copts, .kprobe_multi.syms = syms,
		    .kprobe_multi.cnt = 1);
	int fd, link, err;

	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "rete_feat_kmulti", "GPL", return_zero,
			   RETURN_ZERO_LEN, &lopts);
	if (fd < 0) {
		err = errno;
		if (feat_kprobe(btf, why, whylen))
			snprintf(why, whylen, "needs kprobes, and this kernel has none");
		else
			load_refused(err, "kprobe", why, whylen);
		return -err;
	}
	link = bpf_link_create(fd, 0, BPF_TRACE_KPROBE_MULTI, &copts);
	err = link < 0 ? errno : 0;
	if (link >= 0)
		close(link);
	close(fd);
	if (!err || err == ESRCH || err == ENOENT)
		return 0;
	if (err == EOPNOTSUPP || err == KERNEL_ENOTSUPP)
		snprintf(why, whylen,
			 "the kernel was built without CONFIG_FPROBE (kprobe.multi links are not "
			 "supported)");
	else if (err == EINVAL)
		snprintf(why, whylen, "the kernel does not know kprobe.multi links (before 5.18)");
	else
		snprintf(why, whylen, "creating a kprobe.multi link failed: %s", strerror(err));
	return -err;
}

static int feat_fentry(const struct btf *btf, char *why, size_t whylen)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .expected_attach_type = BPF_TRACE_FENTRY);
	int id, fd, link, err;

	if (!btf) {
		snprintf(why, whylen, "needs kernel BTF");
		return -ENOENT;
	}
	id = btf__find_by_name_kind(btf, "consume_skb", BTF_KIND_FUNC);
	if (id < 0) {
		snprintf(why, whylen, "no consume_skb function in kernel BTF to try it on");
		return -ENOENT;
	}
	lopts.attach_btf_id = (__u32)id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "rete_feat_fentry", "GPL", return_zero,
			   RETURN_ZERO_LEN, &lopts);
	if (fd < 0)
		return load_refused(errno, "fentry", why, whylen);
	/* Attach for an instant: loading alone does not build the trampoline. */
	link = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);
	err = link < 0 ? errno : 0;
	if (link >= 0)
		close(link);
	close(fd);
	if (err) {
		snprintf(why, whylen, "attaching a fentry program failed: %s", strerror(err));
		return -err;
	}
	return 0;
}

static int feat_uprobe(const struct btf *btf, char *why, size_t whylen)
{
	if (access(RETE_UPROBE_PMU, F_OK)) {
		snprintf(why, whylen,
			 "the kernel was built without CONFIG_UPROBE_EVENTS (no " RETE_UPROBE_PMU
			 ")");
		return -EOPNOTSUPP;
	}
	return 0;
}

static const struct {
	const char *name;
	feature_fn check;
} features[RETE_FEAT_MAX] = {
	[RETE_FEAT_BTF] = { "kernel BTF", feat_btf },
	[RETE_FEAT_RAW_TP] = { "raw tracepoints", feat_raw_tp },
	[RETE_FEAT_RAW_TP_COOKIE] = { "raw tracepoint cookies", feat_raw_tp_cookie },
	[RETE_FEAT_KPROBE] = { "kprobes", feat_kprobe },
	[RETE_FEAT_KPROBE_MULTI] = { "kprobe.multi", feat_kprobe_multi },
	[RETE_FEAT_FENTRY] = { "fentry/fexit", feat_fentry },
	[RETE_FEAT_UPROBE] = { "uprobes/USDT", feat_uprobe },
};

const char *rete_feature_name(enum rete_feature f)
{
	return (unsigned)f < RETE_FEAT_MAX ? features[f].name : "?";
}

int rete_kernel_feature(enum rete_feature f, const struct btf *btf, char *why, size_t whylen)
{
	if ((unsigned)f >= RETE_FEAT_MAX) {
		snprintf(why, whylen, "unknown feature");
		return -EINVAL;
	}
	why[0] = '\0';
	return features[f].check(btf, why, whylen);
}

int rete_kernel_probe_type_usable(enum rete_probe_type type, char *why, size_t whylen)
{
	if (type == RETE_PROBE_FENTRY || type == RETE_PROBE_FEXIT) {
		struct btf *btf = btf__load_vmlinux_btf();
		int rc = feat_fentry(btf, why, whylen);

		btf__free(btf);
		return rc;
	}
	if (type == RETE_PROBE_RAW_TP || !access(RETE_KPROBE_PMU, F_OK))
		return 0;
	snprintf(why, whylen, "this kernel has no kprobes (built without CONFIG_KPROBES)");
	return -EOPNOTSUPP;
}

int rete_kernel_caps(uint64_t *ret_caps)
{
	char line[256];
	int rc = -ENOENT;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char hex[40];
		uint64_t caps;

		if (strncmp(line, "CapEff:", 7))
			continue;
		snprintf(hex, sizeof(hex), "0x%.32s", line + 7 + strspn(line + 7, " \t"));
		hex[strcspn(hex, " \t\n")] = '\0';
		rc = rete_parse_u64(hex, &caps);
		if (!rc)
			*ret_caps = caps;
		break;
	}
	fclose(f);
	return rc;
}
