/* raw.c — raw-SQLite references for the benchmarks: the minimal work for the same result, measured
 * in the same run as dangjian's own numbers (STYLE.md §14). Plain SQLite C API, no dangjian code.
 *
 *   raw insert OUT.db SCHEMA.db N [crypto] [rebuild]
 *                                           bare prepared-INSERT loop of N member rows, one
 *                                           transaction, into a table copied from SCHEMA.db's
 *                                           `members` (same columns and indexes); with `crypto`,
 *                                           ID number and phone are sealed and blind-indexed with
 *                                           libsodium as dangjian does; with `rebuild`, the table's
 *                                           secondary indexes are created after the rows, in the
 *                                           same transaction. Prints rows/s.
 *   raw count DB ITER PATH...               SELECT COUNT(*) … WHERE org_path >= ? AND org_path < ?
 *   raw preagg DB ITER ORG_ID...            the pre-aggregated count of one org (org_stats row)
 *   raw get DB ITER                         one member row by a random id
 *   raw stats DB ITER PATH...               the rows /orgs/{id}/stats reads (same columns and filter),
 *                                           read and counted, no JSON; `+status` keeps SQLite on
 *                                           the path range (docs/performance.md, item 1)
 * The query modes print one line per argument: "<arg> median_us=… p99_us=… result=…".
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "raw: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(1);
}

static sqlite3 *open_db(const char *path, int flags)
{
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK)
		die(db, path);
	return db;
}

static uint64_t st = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
	uint64_t z = (st += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Same columns as an imported member row: required fields, derived birth date and sex, PII triples. */
static const char Q_INS[] =
	"INSERT INTO members(org_id, org_path, name, sex, ethnicity, birth_date, id_number_enc, id_number_bidx,"
	" id_number_mask, education, occupation, work_unit, phone_enc, phone_bidx, phone_mask, category, joined_on,"
	" converted_on, status, import_batch_id, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* rebuild: the secondary indexes created after the rows, in the same transaction (the way dangjian's
 * import loads a file that is large next to the register). */
static int do_insert(const char *out, const char *schema, long n, int crypto, int rebuild)
{
	sqlite3 *s = open_db(schema, SQLITE_OPEN_READONLY), *db;
	char *later = calloc(1, 1);
	size_t later_len = 0;
	sqlite3_stmt *q;
	unsigned char key[32], bkey[32];
	remove(out);
	db = open_db(out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	/* The same durability and cache as dangjian's writer connection; no foreign-key checks. */
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-16000;", 0, 0, 0))
		die(db, "pragma");
	if (sqlite3_prepare_v2(s, "SELECT sql FROM sqlite_master WHERE tbl_name = 'members' AND sql IS NOT NULL"
				  " ORDER BY type DESC", -1, &q, NULL))
		die(s, "schema");
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *ddl = (const char *)sqlite3_column_text(q, 0);
		if (rebuild && strncmp(ddl, "CREATE TABLE", 12) != 0) {
			size_t l = strlen(ddl);
			later = realloc(later, later_len + l + 3);
			memcpy(later + later_len, ddl, l);
			memcpy(later + later_len + l, ";\n", 3);
			later_len += l + 2;
			continue;
		}
		if (sqlite3_exec(db, ddl, 0, 0, 0))
			die(db, "ddl");
	}
	sqlite3_finalize(q);
	sqlite3_close(s);
	if (sodium_init() < 0)
		return 1;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(bkey, sizeof(bkey));
	double t0 = now_us();
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0) || sqlite3_prepare_v2(db, Q_INS, -1, &q, NULL))
		die(db, "prepare");
	for (long i = 0; i < n; i++) {
		char idn[20], phone[16], name[16], path[40], bidx[33], pbidx[33], birth[11], joined[11];
		unsigned char enc[24 + 16 + 18], penc[24 + 16 + 11], h[16];
		long org = 3 + (long)(rnd() % 500);
		snprintf(idn, sizeof(idn), "530101%011ldX", i % 100000000000L); /* unique; not validated */
		snprintf(phone, sizeof(phone), "13%09ld", (long)(rnd() % 1000000000));
		snprintf(name, sizeof(name), "张%c%c", (char)('a' + i % 26), (char)('a' + i / 26 % 26));
		snprintf(path, sizeof(path), "/1/%ld/%ld/", 2 + org / 40, org);
		snprintf(birth, sizeof(birth), "19%02d-%02d-%02d", (int)(40 + i % 60), (int)(1 + i % 12), (int)(1 + i % 28));
		snprintf(joined, sizeof(joined), "20%02d-07-01", (int)(i % 24));
		if (crypto) {
			randombytes_buf(enc, 24);
			crypto_secretbox_easy(enc + 24, (const unsigned char *)idn, 18, enc, key);
			randombytes_buf(penc, 24);
			crypto_secretbox_easy(penc + 24, (const unsigned char *)phone, 11, penc, key);
			crypto_generichash(h, 16, (const unsigned char *)idn, 18, bkey, 32);
			sodium_bin2hex(bidx, sizeof(bidx), h, 16);
			crypto_generichash(h, 16, (const unsigned char *)phone, 11, bkey, 32);
			sodium_bin2hex(pbidx, sizeof(pbidx), h, 16);
		} else {
			/* Stand-ins of the same sizes: a unique blind index, random-looking blobs. */
			uint64_t a = rnd(), b = rnd();
			memcpy(enc, &a, 8);
			memcpy(penc, &b, 8);
			snprintf(bidx, sizeof(bidx), "%016llx%016llx", (unsigned long long)a, (unsigned long long)i);
			snprintf(pbidx, sizeof(pbidx), "%016llx%016llx", (unsigned long long)b, (unsigned long long)rnd());
		}
		int k = 1;
		sqlite3_bind_int64(q, k++, org);
		sqlite3_bind_text(q, k++, path, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, k++, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, k++, i % 2 ? "1" : "2", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, k++, "01", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, k++, birth, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(q, k++, enc, sizeof(enc), SQLITE_TRANSIENT);
		sqlite3_bind_text(q, k++, bidx, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, k++, "5301**********123X", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, k++, "21", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, k++, "farmer", -1, SQLITE_STATIC);
		sqlite3_bind_null(q, k++);
		sqlite3_bind_blob(q, k++, penc, sizeof(penc), SQLITE_TRANSIENT);
		sqlite3_bind_text(q, k++, pbidx, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, k++, "138****5678", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, k++, "full", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, k++, joined, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, k++, joined, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, k++, "active", -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, k++, 1);
		sqlite3_bind_text(q, k++, "2026-01-01T00:00:00+08:00", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, k++, "2026-01-01T00:00:00+08:00", -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			die(db, "insert");
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	if (sqlite3_exec(db, later, 0, 0, 0))
		die(db, "create index");
	free(later);
	if (sqlite3_exec(db, "COMMIT", 0, 0, 0))
		die(db, "commit");
	double t = (now_us() - t0) / 1e6;
	sqlite3_close(db);
	printf("rows=%ld seconds=%.3f rows_per_s=%.0f\n", n, t, (double)n / t);
	return 0;
}

/* Runs one query ITER times per argument; prints median and p99 in µs and the last result. */
static int do_query(const char *path, const char *mode, long iter, int argc, char **argv)
{
	sqlite3 *db = open_db(path, SQLITE_OPEN_READONLY);
	sqlite3_stmt *q;
	const char *sql = strcmp(mode, "count") == 0	 ? "SELECT COUNT(*) FROM members WHERE org_path >= ? AND org_path < ?"
			  : strcmp(mode, "preagg") == 0 ? "SELECT members_full + members_probationary FROM org_stats WHERE org_id = ?"
			  : strcmp(mode, "get") == 0	 ? "SELECT * FROM members WHERE id = ?"
							 : "SELECT sex, birth_date, category, education, occupation, joined_on FROM members"
							   " WHERE org_path >= ? AND org_path < ? AND +status = 'active' AND deleted_at IS NULL";
	long maxid = 0;
	if (sqlite3_exec(db, "PRAGMA cache_size=-8000", 0, 0, 0) || sqlite3_prepare_v2(db, sql, -1, &q, NULL))
		die(db, "prepare");
	if (strcmp(mode, "get") == 0) {
		sqlite3_stmt *m;
		sqlite3_prepare_v2(db, "SELECT MAX(id) FROM members", -1, &m, NULL);
		if (sqlite3_step(m) == SQLITE_ROW)
			maxid = (long)sqlite3_column_int64(m, 0);
		sqlite3_finalize(m);
		static char *one[] = { "random_id" };
		argv = one;
		argc = 1;
	}
	double *t = malloc(sizeof(double) * (size_t)iter);
	for (int a = 0; a < argc; a++) {
		char hi[256];
		long long result = 0;
		snprintf(hi, sizeof(hi), "%s", argv[a]);
		size_t l = strlen(hi);
		if (l && hi[l - 1] == '/')
			hi[l - 1] = '0'; /* "/1/5/" → "/1/50": '0' follows '/' */
		for (long i = 0; i < iter; i++) {
			double t0 = now_us();
			if (maxid) {
				sqlite3_bind_int64(q, 1, 1 + (long)(rnd() % (uint64_t)maxid));
			} else if (strcmp(mode, "preagg") == 0) {
				sqlite3_bind_int64(q, 1, strtol(argv[a], NULL, 10));
			} else {
				sqlite3_bind_text(q, 1, argv[a], -1, SQLITE_STATIC);
				sqlite3_bind_text(q, 2, hi, -1, SQLITE_STATIC);
			}
			long long rows = 0;
			int rc;
			while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
				rows++;
				if (strcmp(mode, "count") == 0 || strcmp(mode, "preagg") == 0)
					result = sqlite3_column_int64(q, 0);
			}
			if (rc != SQLITE_DONE)
				die(db, "step");
			if (strcmp(mode, "stats") == 0 || strcmp(mode, "get") == 0)
				result = rows;
			sqlite3_reset(q);
			t[i] = now_us() - t0;
		}
		qsort(t, (size_t)iter, sizeof(double), cmp_d);
		printf("%s median_us=%.1f p99_us=%.1f result=%lld\n", argv[a], t[iter / 2], t[iter * 99 / 100], result);
	}
	free(t);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "insert") == 0) {
		int crypto = 0, rebuild = 0;
		for (int i = 5; i < argc; i++) {
			crypto |= strcmp(argv[i], "crypto") == 0;
			rebuild |= strcmp(argv[i], "rebuild") == 0;
		}
		return do_insert(argv[2], argv[3], strtol(argv[4], NULL, 10), crypto, rebuild);
	}
	if (argc >= 4 && (!strcmp(argv[1], "count") || !strcmp(argv[1], "preagg") || !strcmp(argv[1], "get") ||
			  !strcmp(argv[1], "stats")))
		return do_query(argv[2], argv[1], strtol(argv[3], NULL, 10), argc - 4, argv + 4);
	fprintf(stderr, "usage: see the comment at the top of bench/raw.c\n");
	return 2;
}
