/*
 * What every probe backend does to its libbpf object before loading it:
 * write .rodata settings by variable name, and reuse the maps an earlier
 * object created (every probe object shares the same event ring, probe
 * configuration, counters and tracking table).
 */
#ifndef RETE_CORE_BPF_OBJ_H
#define RETE_CORE_BPF_OBJ_H

#include <stddef.h>

struct bpf_object;

#define RETE_SHARED_MAPS_MAX 16

/* Maps by name, created by the first object that had them. */
struct rete_shared_maps {
	size_t n;
	struct {
		char name[64];
		int fd;		/* our own dup: valid after that object is gone */
	} m[RETE_SHARED_MAPS_MAX];
};

/*
 * Before load: make obj use the already created maps of the same names.
 * 0 or -errno.
 */
int rete_shared_maps_reuse(const struct rete_shared_maps *sm, struct bpf_object *obj);
/* After load: remember obj's maps that are not known yet. 0 or -errno. */
int rete_shared_maps_adopt(struct rete_shared_maps *sm, const struct bpf_object *obj);
/* fd of a shared map, or -ENOENT. */
int rete_shared_maps_fd(const struct rete_shared_maps *sm, const char *name);
void rete_shared_maps_release(struct rete_shared_maps *sm);

#endif
