/* --help of the commands, from their descriptors (cmd.h). */
#include <string.h>

#include "cmd/cmd.h"

void rete_cmd_usage(FILE *f, const struct rete_cmd *cmd)
{
	fprintf(f, "%s\nUsage: rete %s %s\n\n", cmd->description, cmd->name, cmd->synopsis);
	rete_opts_help(f, cmd->opts, cmd->nopts);
	if (cmd->notes)
		fprintf(f, "\n%s", cmd->notes);
	if (cmd->examples)
		fprintf(f, "\nExamples:\n%s", cmd->examples);
}

const struct rete_cmd *rete_cli_find(const struct rete_cli *cli, const char *name)
{
	for (size_t i = 0; i < cli->ncmds; i++)
		if (!strcmp(cli->cmds[i]->name, name))
			return cli->cmds[i];
	return NULL;
}
