/* cli.h — the CLI's command table entry and small option helpers shared by src/cmd_*.c. */
#ifndef DJ_CLI_H
#define DJ_CLI_H
#include <stdbool.h>
#include <stdint.h>
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/pii.h"

/** One subcommand: argv[0] is the subcommand name. Returns the process exit code. */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/** Value of "--name VALUE" or "--name=VALUE", or NULL. */
const char *cli_opt(int argc, char **argv, const char *name);
/** True if "--name" is present. */
bool cli_flag(int argc, char **argv, const char *name);
/** True if --help or -h is present; then prints usage and the caller returns 0. */
bool cli_help(int argc, char **argv, const char *usage);
/** Print a Chinese error to stderr and return exit code 2 (usage) . */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Read one line (without newline) from stdin into buf; false at EOF. */
bool cli_read_line(char *buf, size_t n);
/** A scope covering the whole database, for administrative CLI commands run by the operator. */
void cli_root_scope(struct dj_scope *sc);
/** The actor recorded in audit entries for CLI writes. */
struct dj_actor cli_actor(void);
/** Open the store at path for a command (creates nothing); prints errors. */
int cli_open_db(const char *path, struct dj_db **db);

/** Whether the register has any member row (true on error), to decide whether a missing PII key may be
 *  created. */
bool cli_has_members(struct dj_db *db);
/** Open (creating if allowed) the PII key beside db_path; prints errors. */
int cli_open_pii(const char *db_path, int create, struct dj_pii **pii);

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_openapi(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
