/* cmd-token: personal API tokens for scripts (create, list, revoke). A token is shown
 * once, at creation; only its hash is stored. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/secret.h"
#include "domain/validate.h"
#include "store/store.h"

#define TOKEN_PREFIX "cst_"

struct token_opts {
	const char *db;
	const char *login;
	const char *label;
	long long id;
};

static int parse(int argc, char **argv, struct token_opts *o)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"login", required_argument, NULL, 'l'},
		{"label", required_argument, NULL, 'L'},
		{"id", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	memset(o, 0, sizeof *o);
	o->label = "script";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'l': o->login = optarg; break;
		case 'L': o->label = optarg; break;
		case 'i':
			o->id = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->id <= 0)
				return cli_usage_error(&cmd_token, "--id: expected a positive whole number");
			break;
		default:
			return cli_usage_error(&cmd_token, "unknown option or missing value in '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_token, "unexpected argument '%s'", argv[optind]);
	if (o->db == NULL || o->login == NULL)
		return cli_usage_error(&cmd_token, "--db FILE and --login LOGIN are required");
	return CLI_EXIT_OK;
}

static int keep_id(void *ctx, const struct agent *a)
{
	*(int64_t *)ctx = a->id;
	return 0;
}

static int print_token(void *ctx, const struct store_token *t)
{
	(void)ctx;
	printf("%-6lld %-16s %-20s last used %-20s %s\n", (long long)t->id, t->prefix,
	       t->created_at, t->last_used_at ? t->last_used_at : "never",
	       t->revoked_at ? "revoked" : t->label);
	return 0;
}

static enum err_code create(struct store *s, int64_t agent, const struct token_opts *o,
                            struct err *e)
{
	unsigned char hash[SECRET_HASH_LEN];
	char token[SECRET_TOKEN_MAX], prefix[SECRET_PREFIX_SHOWN + 1];
	enum err_code rc;
	int64_t id = 0;

	if ((rc = validate_text("label", o->label, 1, 80, 0, e)) != ERR_OK)
		return rc;
	secret_token_new(TOKEN_PREFIX, token);
	secret_token_hash(token, strlen(token), hash);
	memcpy(prefix, token, SECRET_PREFIX_SHOWN);
	prefix[SECRET_PREFIX_SHOWN] = '\0';
	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	rc = store_token_create(s, hash, agent, o->label, prefix, &id, e);
	if (rc == ERR_OK)
		rc = store_audit_append(s, 0, "token.create", "agent", o->login, agent, o->label, e);
	if (rc == ERR_OK)
		rc = store_commit(s, e);
	else
		store_rollback(s);
	if (rc == ERR_OK)
		printf("%s\n", token); /* shown once; scripts send "Authorization: Bearer TOKEN" */
	return rc;
}

static enum err_code revoke(struct store *s, int64_t agent, const struct token_opts *o,
                            struct err *e)
{
	char id[24];
	enum err_code rc;

	if (o->id <= 0)
		return err_set(e, ERR_INVALID, "id", "give the token's number with --id N");
	snprintf(id, sizeof id, "%lld", o->id);
	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	rc = store_token_revoke(s, agent, o->id, e);
	if (rc == ERR_OK)
		rc = store_audit_append(s, 0, "token.revoke", "api_token", id, agent, NULL, e);
	if (rc == ERR_OK)
		return store_commit(s, e);
	store_rollback(s);
	return rc;
}

static int run(int argc, char **argv)
{
	struct token_opts o;
	struct store *s = NULL;
	struct err e = {0};
	enum err_code rc;
	int64_t agent = 0;
	int x;

	if (argc < 2 || (strcmp(argv[1], "create") != 0 && strcmp(argv[1], "list") != 0 &&
	                 strcmp(argv[1], "revoke") != 0))
		return cli_usage_error(&cmd_token, "expected an action: create, list or revoke");
	if ((x = parse(argc - 1, argv + 1, &o)) != CLI_EXIT_OK)
		return x;
	if (store_open(o.db, 0, &s, &e) != ERR_OK)
		return cli_fail("token", &e);
	rc = store_agent_find(s, o.login, keep_id, &agent, &e);
	if (rc == ERR_OK && strcmp(argv[1], "create") == 0)
		rc = create(s, agent, &o, &e);
	else if (rc == ERR_OK && strcmp(argv[1], "list") == 0)
		rc = store_token_each(s, agent, print_token, NULL, &e);
	else if (rc == ERR_OK)
		rc = revoke(s, agent, &o, &e);
	store_close(s);
	return rc == ERR_OK ? CLI_EXIT_OK : cli_fail("token", &e);
}

const struct cli_cmd cmd_token = {
	.name = "token",
	.summary = "personal API tokens: create, list, revoke",
	.usage = "Usage: constat token ACTION --db FILE --login LOGIN [OPTIONS]\n\n"
	         "Actions:\n"
	         "  create [--label TEXT]  prints a new token for LOGIN, once; scripts send it\n"
	         "                         as 'Authorization: Bearer TOKEN'\n"
	         "  list                   the account's tokens (number, prefix, dates)\n"
	         "  revoke --id N          revokes token number N\n\n"
	         "Only a hash of each token is stored. Creating and revoking are audited.\n",
	.run = run,
};
