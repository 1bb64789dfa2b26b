/*
 * rete python: run a Python script over an event file, or an interactive
 * shell, with `reader` bound to rete.EventFile(INPUT) (Retis's `retis
 * python`). It runs Debian's python3 with the rete module (from the build
 * tree when rete runs from it, else where `make install` put it), so the
 * binary itself does not depend on libpython.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/log.h"
#include "lib/opts.h"
#include "lib/prog.h"

#ifndef RETE_PYTHON
#define RETE_PYTHON "/usr/bin/python3"
#endif
#ifndef RETE_PYSITE
#define RETE_PYSITE ""
#endif

enum { OPT_INPUT, OPT_HELP };

static const struct rete_opt python_opts[] = {
	{ OPT_INPUT, 'i', "input", RETE_OPT_VALUE, "FILE",
	  "Event file (default rete.data; a rotated set by its base name)" },
	{ OPT_HELP, 'h', "help", RETE_OPT_FLAG, NULL, "Print help" },
};

static int rete_cmd_python(const struct rete_global *g, int argc, char **argv);

const struct rete_cmd rete_cmd_python_desc = {
	.name = "python",
	.summary = "Run a Python script over events, or a Python shell",
	.synopsis = "[OPTIONS] [SCRIPT [ARGS...]]",
	.description =
		"Run SCRIPT (a file, or a name looked up in ~/.config/rete/python,\n"
		"the data directory's python/, then Retis's ~/.config/retis/python and\n"
		"/usr/share/retis/python) with python3, `reader` bound to\n"
		"rete.EventFile(INPUT) and sys.argv set to SCRIPT ARGS; without SCRIPT,\n"
		"an interactive shell (with Scapy imported when it is installed).\n"
		"Options after SCRIPT are the script's; `--` ends rete's options.\n"
		"The same module is importable outside rete: `import rete`.\n",
	.examples = "  rete python\n"
		    "  rete python -i sorted.data drops.py --top 10\n"
		    "  rete python drops   # ~/.config/rete/python/drops.py\n",
	.opts = python_opts,
	.nopts = sizeof(python_opts) / sizeof(python_opts[0]),
	.pos = RETE_CMD_POS_FILES,
	.run = rete_cmd_python,
};

struct python_args {
	const char *input;
	bool help;
};

static int python_handler(void *ctx, const struct rete_opt *opt, const char *value, char *err,
			  size_t errlen)
{
	struct python_args *a = ctx;

	switch (opt->id) {
	case OPT_INPUT:
		a->input = value;
		return 0;
	case OPT_HELP:
		a->help = true;
		return 0;
	}
	return -EINVAL;
}

/* The bootstrap: argv[1] is the input, argv[2..] the script and its arguments. */
static const char boot[] =
	"import sys\n"
	"prog, inp, args = sys.argv[1], sys.argv[2], sys.argv[3:]\n"
	"try:\n"
	"    import rete\n"
	"except ImportError as e:\n"
	"    sys.exit('%s: error: the rete Python module is not installed (%s): run make install' % (prog, e))\n"
	"g = {'__name__': '__main__', '__builtins__': __builtins__, 'rete': rete}\n"
	"try:\n"
	"    g['reader'] = rete.EventFile(inp)\n"
	"except (OSError, ValueError) as e:\n"
	"    sys.exit('%s: error: %s' % (prog, e))\n"
	"if args:\n"
	"    sys.argv = args\n"
	"    g['__file__'] = args[0]\n"
	"    with open(args[0]) as f:\n"
	"        code = compile(f.read(), args[0], 'exec')\n"
	"    exec(code, g)\n"
	"else:\n"
	"    try:\n"
	"        from scapy.all import *\n"
	"        g.update({k: v for k, v in dict(globals()).items() if not k.startswith('_') and k not in g})\n"
	"    except ImportError:\n"
	"        pass\n"
	"    import code\n"
	"    code.interact(banner='rete python: reader = rete.EventFile(%r)' % inp, local=g, exitmsg='')\n";

static bool is_file(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISREG(st.st_mode);
}

/* SCRIPT as given, else NAME(.py) in the script directories; NULL when not found. */
static const char *find_script(const char *name, char *buf, size_t len)
{
	const char *home = getenv("HOME");
	const char *dirs[6];
	size_t n = 0;
	char d0[PATH_MAX], d1[PATH_MAX];

	if (is_file(name) || strchr(name, '/'))
		return name;
	if (home && *home) {
		snprintf(d0, sizeof(d0), "%s/.config/%s/python", home, rete_prog_name());
		dirs[n++] = d0;
	}
	dirs[n++] = RETE_DATADIR "/python";
	if (home && *home) {
		snprintf(d1, sizeof(d1), "%s/.config/retis/python", home);
		dirs[n++] = d1;
	}
	dirs[n++] = "/usr/share/retis/python";
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, len, "%s/%s", dirs[i], name);
		if (is_file(buf))
			return buf;
		snprintf(buf, len, "%s/%s.py", dirs[i], name);
		if (is_file(buf))
			return buf;
	}
	return NULL;
}

/* PYTHONPATH with the module's directory first: the build tree's when rete runs from it. */
static void set_pythonpath(void)
{
	char exe[PATH_MAX], dir[PATH_MAX + 32], path[2 * PATH_MAX + 64];
	const char *old = getenv("PYTHONPATH");
	const char *mod = RETE_PYSITE;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s/python/rete/__init__.py", exe);
			if (is_file(dir)) {
				snprintf(dir, sizeof(dir), "%s/python", exe);
				mod = dir;
			}
		}
	}
	if (!*mod)
		return;
	snprintf(path, sizeof(path), "%s%s%s", mod, old && *old ? ":" : "", old ? old : "");
	setenv("PYTHONPATH", path, 1);
}

static int rete_cmd_python(const struct rete_global *g, int argc, char **argv)
{
	struct python_args a = { 0 };
	const char *pos[1];
	size_t npos = 0;
	char err[512], script[PATH_MAX];
	const char *sp = NULL;
	char **pargv;
	int used, rest, k = 0;

	/* Options stop at SCRIPT: what follows is the script's. */
	used = rete_opts_parse(python_opts, sizeof(python_opts) / sizeof(python_opts[0]), argc - 1,
			       argv + 1, true, python_handler, &a, pos, 1, &npos, err,
			       sizeof(err));
	if (used < 0) {
		log_error("%s", err);
		return RETE_EXIT_USAGE;
	}
	if (a.help) {
		rete_cmd_usage(stdout, &rete_cmd_python_desc);
		return RETE_EXIT_OK;
	}
	rest = argc - 1 - used;
	if (rest > 0) {
		sp = find_script(argv[1 + used], script, sizeof(script));
		if (!sp) {
			log_error("no Python script '%s' (not a file, nor in ~/.config/%s/python, "
				  "%s/python, ~/.config/retis/python or /usr/share/retis/python)",
				  argv[1 + used], rete_prog_name(), RETE_DATADIR);
			return RETE_EXIT_USAGE;
		}
	}
	pargv = calloc((size_t)rest + 7, sizeof(*pargv));
	if (!pargv) {
		log_error("out of memory");
		return RETE_EXIT_FAIL;
	}
	pargv[k++] = (char *)RETE_PYTHON;
	pargv[k++] = (char *)"-c";
	pargv[k++] = (char *)boot;
	pargv[k++] = (char *)rete_prog_name();
	pargv[k++] = (char *)(a.input ? a.input : rete_prog_data_file());
	if (sp) {
		pargv[k++] = (char *)sp;
		for (int i = 2 + used; i < argc; i++)
			pargv[k++] = argv[i];
	}
	pargv[k] = NULL;
	set_pythonpath();
	fflush(NULL);
	execv(RETE_PYTHON, pargv);
	log_error("cannot run %s: %s (install python3)", RETE_PYTHON, strerror(errno));
	free(pargv);
	return RETE_EXIT_FAIL;
}
