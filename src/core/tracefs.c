#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/kfuncs.h"
#include "core/tracefs.h"

#define TRACEFS_DEFAULT "/sys/kernel/tracing"

int rete_tracefs_find(struct rete_tracefs *tfs)
{
	struct mntent *m;
	FILE *f;

	tfs->path[0] = '\0';
	f = setmntent("/proc/mounts", "re");
	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (!strcmp(m->mnt_type, "tracefs")) {
			snprintf(tfs->path, sizeof(tfs->path), "%s", m->mnt_dir);
			break;
		}
		if (!strcmp(m->mnt_type, "debugfs") && !tfs->path[0]) {
			char p[256];

			snprintf(p, sizeof(p), "%s/tracing", m->mnt_dir);
			if (!access(p, R_OK))
				snprintf(tfs->path, sizeof(tfs->path), "%s", p);
		}
	}
	endmntent(f);
	return tfs->path[0] ? 0 : -ENOENT;
}

int rete_tracefs_mount(struct rete_tracefs *tfs)
{
	if (mount("nodev", TRACEFS_DEFAULT, "tracefs", 0, NULL))
		return -errno;
	snprintf(tfs->path, sizeof(tfs->path), "%s", TRACEFS_DEFAULT);
	tfs->mounted_by_us = true;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rete_tracefs_load_events(struct rete_tracefs *tfs)
{
	char p[300], line[256];
	size_t cap = 0;
	FILE *f;

	if (tfs->events)
		return 0;
	if (!tfs->path[0])
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/available_events", tfs->path);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		if (tfs->nevents == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			char **ev = realloc(tfs->events, ncap * sizeof(*ev));

			if (!ev)
				goto out_nomem;
			tfs->events = ev;
			cap = ncap;
		}
		tfs->events[tfs->nevents] = strdup(line);
		if (!tfs->events[tfs->nevents])
			goto out_nomem;
		tfs->nevents++;
	}
	fclose(f);
	if (tfs->nevents)
		qsort(tfs->events, tfs->nevents, sizeof(*tfs->events), cmp_str);
	return 0;
out_nomem:
	fclose(f);
	return -ENOMEM;
}

int rete_tracefs_load_kfuncs(struct rete_tracefs *tfs)
{
	if (tfs->kfuncs)
		return 0;
	return rete_kfuncs_load(tfs->path, &tfs->kfuncs);
}

void rete_tracefs_release(struct rete_tracefs *tfs)
{
	rete_kfuncs_free(tfs->kfuncs);
	tfs->kfuncs = NULL;
	for (size_t i = 0; i < tfs->nevents; i++)
		free(tfs->events[i]);
	free(tfs->events);
	tfs->events = NULL;
	tfs->nevents = 0;
	if (tfs->mounted_by_us) {
		umount2(tfs->path, MNT_DETACH);
		tfs->mounted_by_us = false;
	}
}
