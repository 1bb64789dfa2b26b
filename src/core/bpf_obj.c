#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/bpf_obj.h"

int rete_shared_maps_fd(const struct rete_shared_maps *sm, const char *name)
{
	for (size_t i = 0; i < sm->n; i++)
		if (!strcmp(sm->m[i].name, name))
			return sm->m[i].fd;
	return -ENOENT;
}

int rete_shared_maps_reuse(const struct rete_shared_maps *sm, struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		int fd, rc;

		/* .rodata, .bss: per object by nature. */
		if (bpf_map__is_internal(map))
			continue;
		fd = rete_shared_maps_fd(sm, bpf_map__name(map));
		if (fd < 0)
			continue;
		rc = bpf_map__reuse_fd(map, fd);
		if (rc)
			return rc;
	}
	return 0;
}

int rete_shared_maps_adopt(struct rete_shared_maps *sm, const struct bpf_object *obj)
{
	const struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		int fd;

		if (bpf_map__is_internal(map) || rete_shared_maps_fd(sm, name) >= 0)
			continue;
		if (sm->n == RETE_SHARED_MAPS_MAX || strlen(name) >= sizeof(sm->m[0].name))
			return -E2BIG;
		fd = fcntl(bpf_map__fd(map), F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return -errno;
		snprintf(sm->m[sm->n].name, sizeof(sm->m[0].name), "%s", name);
		sm->m[sm->n].fd = fd;
		sm->n++;
	}
	return 0;
}

void rete_shared_maps_release(struct rete_shared_maps *sm)
{
	for (size_t i = 0; i < sm->n; i++)
		close(sm->m[i].fd);
	sm->n = 0;
}
