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

static struct bpf_map *rodata_map(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);

		/* libbpf names it "<object prefix>.rodata". */
		if (bpf_map__is_internal(map) && len >= 7 && !strcmp(name + len - 7, ".rodata"))
			return map;
	}
	return NULL;
}

int rete_obj_set_rodata(struct bpf_object *obj, const char *var, const void *val, size_t size)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vi;
	const struct btf_type *sec;
	struct bpf_map *map = rodata_map(obj);
	size_t map_size;
	char *data;
	int id;

	if (!btf || !map)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, (__u32)id);
	vi = btf_var_secinfos(sec);
	for (unsigned i = 0; i < btf_vlen(sec); i++, vi++) {
		const struct btf_type *v = btf__type_by_id(btf, vi->type);

		if (strcmp(btf__name_by_offset(btf, v->name_off), var))
			continue;
		if (vi->size != size)
			return -EINVAL;
		/* The same writable memory a skeleton's ->rodata points to. */
		data = (char *)(uintptr_t)bpf_map__initial_value(map, &map_size);
		if (!data || vi->offset + size > map_size)
			return -EINVAL;
		memcpy(data + vi->offset, val, size);
		return 0;
	}
	return -ENOENT;
}
