/* cmd-user: account administration from the command line (add, list, passwd, disable,
 * enable). Passwords are read from standard input, never from the command line. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/password.h"
#include "domain/validate.h"
#include "store/store.h"

struct user_opts {
	const char *db;
	const char *login;
	const char *name;
	const char *role;
	const char *unit;
	int password_stdin;
};

static int parse(int argc, char **argv, struct user_opts *o)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"login", required_argument, NULL, 'l'},
		{"name", required_argument, NULL, 'n'},
		{"role", required_argument, NULL, 'r'},
		{"unit", required_argument, NULL, 'u'},
		{"password-stdin", no_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof *o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'l': o->login = optarg; break;
		case 'n': o->name = optarg; break;
		case 'r': o->role = optarg; break;
		case 'u': o->unit = optarg; break;
		case 'p': o->password_stdin = 1; break;
		default:
			return cli_usage_error(&cmd_user, "unknown option or missing value in '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cmd_user, "unexpected argument '%s'", argv[optind]);
	if (o->db == NULL)
		return cli_usage_error(&cmd_user, "--db FILE is required");
	return CLI_EXIT_OK;
}

/* Reads and hashes the password from stdin into hash. */
static enum err_code read_hash(char hash[PASSWORD_HASH_MAX], struct err *e)
{
	char pw[PASSWORD_MAX + 1];
	enum err_code rc = password_read(stdin, pw, sizeof pw, e);

	if (rc == ERR_OK)
		rc = password_hash(pw, hash, e);
	sodium_memzero(pw, sizeof pw);
	return rc;
}

static enum err_code do_add(struct store *s, const struct user_opts *o, struct err *e)
{
	struct agent a = {0};
	char hash[PASSWORD_HASH_MAX];
	enum err_code rc;

	if ((rc = validate_login("login", o->login, e)) != ERR_OK ||
	    (rc = validate_text("name", o->name, 1, 120, 0, e)) != ERR_OK)
		return rc;
	if (o->role == NULL || model_role_parse(o->role, &a.role) != 0)
		return err_set(e, ERR_INVALID, "role", "expected agent, manager, analyst or admin");
	if (o->unit && (rc = store_org_unit_find(s, o->unit, &a.scope_unit_id, e)) != ERR_OK)
		return rc;
	if ((a.role == ROLE_AGENT || a.role == ROLE_MANAGER) && o->unit == NULL)
		return err_set(e, ERR_INVALID, "unit", "an agent or a manager needs --unit CODE");
	if (o->password_stdin) {
		if ((rc = read_hash(hash, e)) != ERR_OK)
			return rc;
		a.password_hash = hash;
	}
	a.login = o->login;
	a.display_name = o->name;
	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	if ((rc = store_agent_insert(s, &a, &a.id, e)) == ERR_OK)
		rc = store_audit_append(s, 0, "account.create", "agent", o->login, a.id, o->role, e);
	if (rc != ERR_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, e);
}

static int print_agent(void *ctx, const struct agent *a)
{
	(void)ctx;
	printf("%-32s %-8s %-9s %s\n", a->login, model_role_name(a->role),
	       a->disabled ? "disabled" : "active", a->display_name);
	return 0;
}

/* Applies one change keyed by login inside a transaction, with its audit entry. */
static int keep_id(void *ctx, const struct agent *a)
{
	*(int64_t *)ctx = a->id;
	return 0;
}

static enum err_code do_change(struct store *s, const struct user_opts *o, const char *what,
                               struct err *e)
{
	char hash[PASSWORD_HASH_MAX];
	enum err_code rc;
	int64_t id = 0;

	if ((rc = validate_login("login", o->login, e)) != ERR_OK)
		return rc;
	if (strcmp(what, "passwd") == 0) {
		if (!o->password_stdin)
			return err_set(e, ERR_INVALID, "password",
			               "give the new password on standard input with --password-stdin");
		if ((rc = read_hash(hash, e)) != ERR_OK)
			return rc;
	}
	if ((rc = store_begin(s, e)) != ERR_OK)
		return rc;
	if (strcmp(what, "passwd") == 0)
		rc = store_agent_set_password(s, o->login, hash, e);
	else
		rc = store_agent_set_disabled(s, o->login, strcmp(what, "disable") == 0, e);
	/* A new password or a disabled account ends every open session. */
	if (rc == ERR_OK && strcmp(what, "enable") != 0 &&
	    (rc = store_agent_find(s, o->login, keep_id, &id, e)) == ERR_OK)
		rc = store_session_delete_agent(s, id, e);
	if (rc == ERR_OK)
		rc = store_audit_append(s, 0,
		                        strcmp(what, "passwd") == 0    ? "account.password"
		                        : strcmp(what, "disable") == 0 ? "account.disable"
		                                                       : "account.enable",
		                        "agent", o->login, id, NULL, e);
	if (rc != ERR_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, e);
}

static int run(int argc, char **argv)
{
	static const char *const actions[] = {"add", "list", "passwd", "disable", "enable", NULL};
	struct user_opts o;
	struct store *s = NULL;
	struct err e = {0};
	const char *action;
	enum err_code rc;
	int x;

	if (argc < 2)
		return cli_usage_error(&cmd_user, "expected an action: add, list, passwd, disable or "
		                                  "enable");
	action = argv[1];
	for (x = 0; actions[x] && strcmp(actions[x], action) != 0; x++)
		;
	if (actions[x] == NULL)
		return cli_usage_error(&cmd_user, "unknown action '%s'", action);
	if ((x = parse(argc - 1, argv + 1, &o)) != CLI_EXIT_OK)
		return x;
	if (store_open(o.db, 0, &s, &e) != ERR_OK)
		return cli_fail("user", &e);
	if (strcmp(action, "add") == 0)
		rc = do_add(s, &o, &e);
	else if (strcmp(action, "list") == 0)
		rc = store_agent_each(s, print_agent, NULL, &e);
	else
		rc = do_change(s, &o, action, &e);
	store_close(s);
	if (rc != ERR_OK)
		return cli_fail("user", &e);
	if (strcmp(action, "list") != 0)
		printf("%s: %s done\n", o.login, action);
	return CLI_EXIT_OK;
}

const struct cli_cmd cmd_user = {
	.name = "user",
	.summary = "manage accounts: add, list, passwd, disable, enable",
	.usage =
		"Usage: constat user ACTION --db FILE [OPTIONS]\n\n"
		"Actions:\n"
		"  add      --login L --name NAME --role ROLE [--unit CODE] [--password-stdin]\n"
		"           ROLE is agent, manager, analyst or admin; agents and managers need\n"
		"           the code of their organisation unit.\n"
		"  list     every account: login, role, state, name\n"
		"  passwd   --login L --password-stdin\n"
		"  disable  --login L      (the account can no longer log in)\n"
		"  enable   --login L\n\n"
		"Passwords are read from the first line of standard input (at least 10\n"
		"characters) and stored as argon2id hashes; never pass one as an argument.\n"
		"Every change is written to the audit trail.\n",
	.run = run,
};
