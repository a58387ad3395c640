/* db_int.h — internals shared by the storage layer's files (pool, backends, migrations). */
#ifndef DJ_DB_INT_H
#define DJ_DB_INT_H
#include <pthread.h>
#include <stdatomic.h>
#include "dj/db.h"

#define DJ_STMT_CACHE 256 /* statements cached per connection */

struct dj_stmt {
	struct dj_db_conn *conn;
	char *sql;        /* owned copy, the cache key */
	uint64_t hash;
	void *h;          /* backend handle */
};

struct dj_db_conn {
	struct dj_db *db;
	void *h;          /* backend connection */
	bool writer;
	struct dj_stmt cache[DJ_STMT_CACHE];
	int ncache;
	int evict_next;   /* round-robin eviction cursor once the cache is full */
};

struct dj_db {
	const struct dj_db_backend *be;
	char *url;
	struct dj_db_conn writer;
	pthread_mutex_t wmu;
	struct dj_db_conn *readers;
	atomic_bool *reader_busy;
	atomic_int reader_waiters; /* threads in dj_db_reader's slow path */
	int nreaders;
	pthread_mutex_t rmu;
	pthread_cond_t rcond;
	int schema_version;
	atomic_llong tx_committed, tx_rolled_back, busy_waits;
	atomic_int readers_busy;
	/* The background checkpointer (DJ_DB_CHECKPOINTER), with a connection of its own. */
	struct dj_db_commit_hook commit_hook;
	struct dj_db_conn ckpt;
	pthread_t ckpt_thread;
	pthread_mutex_t cmu;
	pthread_cond_t ccond;
	bool ckpt_running, ckpt_due, ckpt_stop;
	int ckpt_frames; /* the WAL's size at the last wake-up */
	atomic_llong checkpoints, wal_frames;
};

extern const struct dj_db_backend dj_db_sqlite_backend;
extern const struct dj_db_backend dj_db_pg_backend;

/** Apply pending migrations on the writer (lib/db/migrate.c). */
dj_rc dj_db_migrate(struct dj_db *db);

#endif
