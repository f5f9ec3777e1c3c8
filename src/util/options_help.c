/* --help from the option table: usage lines, the command's text, then one
 * aligned line per option (grouped under OPT_GROUP headings). */
#include <string.h>

#include "util/options.h"
#include "util/strbuf.h"

/* "  -F, --freq HZ", "      --precise[=N]", "  -g" */
static void left_column(struct strbuf *sb, const struct opt *o)
{
	bool val = o->kind != OPTK_FLAG && o->kind != OPTK_COUNT && !(o->flags & OPTF_NOARG) && o->argh;
	bool opt = o->flags & OPTF_OPTARG;
	if (o->shrt)
		sb_addf(sb, "  -%c%s", o->shrt, o->lng ? ", " : "");
	else
		sb_adds(sb, "      ");
	if (o->lng)
		sb_addf(sb, "--%s", o->lng);
	if (val && opt)
		sb_addf(sb, o->lng ? "[=%s]" : " [%s]", o->argh);
	else if (val)
		sb_addf(sb, " %s", o->argh);
}

static bool shown(const struct opt *o)
{
	return o->kind != OPTK_GROUP && !(o->flags & OPTF_HIDDEN) && o->help;
}

void opt_help(FILE *out, const struct opt_cmd *cmd, const struct opt *opts)
{
	const char *prog = cmd->prog ? cmd->prog : sonde_progname;
	for (size_t k = 0; cmd->usage && cmd->usage[k]; k++) {
		const char *line = cmd->usage[k];
		if (line[0] == ' ')
			fprintf(out, "%s\n", line);
		else
			fprintf(out, "%s%s %s\n", k ? "       " : "usage: ", prog, line);
	}
	fputc('\n', out);
	if (cmd->intro)
		fprintf(out, "%s\n", cmd->intro);

	/* the help text's column: after the widest option, within reason */
	struct strbuf sb = STRBUF_INIT;
	size_t col = 0;
	for (const struct opt *o = opts; o->kind != OPTK_END; o++) {
		if (!shown(o))
			continue;
		sb_reset(&sb);
		left_column(&sb, o);
		if (sb.len + 2 > col && sb.len + 2 <= 30)
			col = sb.len + 2;
	}
	for (const struct opt *o = opts; o->kind != OPTK_END; o++) {
		if (o->kind == OPTK_GROUP) {
			fprintf(out, "%s\n", o->help);
			continue;
		}
		if (!shown(o))
			continue;
		sb_reset(&sb);
		left_column(&sb, o);
		if (sb.len + 2 > col)
			fprintf(out, "%s\n%*s", sb.buf, (int)col, "");
		else
			fprintf(out, "%-*s", (int)col, sb.buf);
		for (const char *h = o->help;;) {
			const char *nl = strchr(h, '\n');
			fprintf(out, "%.*s\n", nl ? (int)(nl - h) : (int)strlen(h), h);
			if (!nl)
				break;
			h = nl + 1;
			fprintf(out, "%*s", (int)col, "");
		}
	}
	sb_free(&sb);
	if (cmd->outro)
		fprintf(out, "\n%s", cmd->outro);
}
