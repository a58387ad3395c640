/* jobs.c — background import jobs: the upload answers 202 at once, a thread validates and
 * commits, and the UI polls progress. Jobs live in the serving process (see docs/scale-out). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dj/api.h"
#include "dj/date.h"
#include "dj/import.h"
#include "dj/log.h"
#include "dj/slice.h"
#include "api_int.h"
#include "dj/banned.h"

#define MAX_JOBS 64

struct job {
	int64_t id, user_id, org_id;
	atomic_int state; /* 0 running, 1 done, 2 failed */
	struct dj_import_progress prog;
	struct dj_import_result res;
	dj_rc rc;
	char *data, *file_name;
	size_t len;
	bool dry_run;
	struct dj_scope scope;
	char username[64], ip[64];
	struct dj_app *app;
	struct dj_jobs *owner;
};

struct dj_jobs {
	pthread_mutex_t mu;
	struct job *jobs[MAX_JOBS];
	int64_t next_id;
	atomic_int running;
};

struct dj_jobs *dj_jobs_new(void)
{
	struct dj_jobs *j = dj_calloc(1, sizeof(*j));
	pthread_mutex_init(&j->mu, NULL);
	j->next_id = 1;
	return j;
}

static void job_free(struct job *jb)
{
	if (!jb)
		return;
	dj_import_result_release(&jb->res);
	dj_free(jb->data);
	dj_free(jb->file_name);
	dj_free(jb);
}

void dj_jobs_free(struct dj_jobs *j)
{
	if (!j)
		return;
	/* Let running imports finish: they hold the database. */
	for (int i = 0; i < 6000 && atomic_load(&j->running) > 0; i++)
		usleep(10000);
	for (int i = 0; i < MAX_JOBS; i++)
		job_free(j->jobs[i]);
	pthread_mutex_destroy(&j->mu);
	dj_free(j);
}

static void *run(void *arg)
{
	struct job *jb = arg;
	struct dj_actor who = { jb->user_id, jb->username, jb->ip };
	jb->rc = dj_import_members(jb->app->db, jb->app->pii, &jb->scope, &who, jb->org_id, jb->data, jb->len, jb->file_name,
				   jb->dry_run, &jb->prog, &jb->res);
	dj_free(jb->data); /* the upload is not needed any more */
	jb->data = NULL;
	dj_log_info("import_finished", "job=%lld dry_run=%d rows=%lld bad=%lld rc=%s", (long long)jb->id, jb->dry_run,
		    (long long)jb->res.rows_total, (long long)jb->res.rows_bad, dj_rc_code(jb->rc));
	/* A finished check is "done" even when rows were bad (the report says so); "failed" means the
	 * file could not be read or the import could not run. */
	atomic_store(&jb->state, jb->rc && (jb->rc != DJ_ERR_INVALID || jb->res.fatal[0]) ? 2 : 1);
	atomic_fetch_sub(&jb->owner->running, 1);
	return NULL;
}

dj_rc api_import_start(struct dj_req *r)
{
	struct dj_jobs *js = r->app->jobs;
	const char *o = dj_req_query(r, "org_id"), *dr = dj_req_query(r, "dry_run"), *fn = dj_req_query(r, "filename");
	int64_t org_id = r->user->org_id;
	pthread_t th;
	if (o && *o && dj_parse_int_str(o, 1, INT64_MAX, &org_id))
		return dj_req_fail(r, DJ_ERR_INVALID, "org_id", "org_id 应为正整数");
	if (r->body.len == 0)
		return dj_req_fail(r, DJ_ERR_INVALID, "file", "请上传 .xlsx 或 .csv 文件（请求体为文件内容）");
	if (fn && (strlen(fn) > 200 || strchr(fn, '/') || strchr(fn, '\\')))
		return dj_req_fail(r, DJ_ERR_INVALID, "filename", "文件名无效");
	if (atomic_load(&js->running) >= 2)
		return dj_req_fail(r, DJ_ERR_BUSY, NULL, "已有导入任务在运行，请稍后再试");
	struct job *jb = dj_calloc(1, sizeof(*jb));
	jb->user_id = r->user->user_id;
	jb->org_id = org_id;
	jb->dry_run = !(dr && strcmp(dr, "0") == 0);
	jb->scope = r->user->scope;
	jb->app = r->app;
	jb->owner = js;
	snprintf(jb->username, sizeof(jb->username), "%s", r->user->username);
	snprintf(jb->ip, sizeof(jb->ip), "%s", r->client_ip);
	jb->file_name = dj_strdup(fn ? fn : "upload");
	jb->data = dj_strbuf_detach(&r->body, &jb->len);
	pthread_mutex_lock(&js->mu);
	jb->id = js->next_id++;
	struct job *old = js->jobs[jb->id % MAX_JOBS];
	if (old && atomic_load(&old->state) == 0) {
		pthread_mutex_unlock(&js->mu);
		job_free(jb);
		return dj_req_fail(r, DJ_ERR_BUSY, NULL, "导入任务过多，请稍后再试");
	}
	js->jobs[jb->id % MAX_JOBS] = jb;
	atomic_fetch_add(&js->running, 1);
	pthread_mutex_unlock(&js->mu);
	job_free(old);
	if (pthread_create(&th, NULL, run, jb) != 0) {
		jb->rc = DJ_ERR_INTERNAL;
		atomic_store(&jb->state, 2);
		atomic_fetch_sub(&js->running, 1);
	} else {
		pthread_detach(th);
	}
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "job_id", jb->id);
	dj_jw_kbool(w, "dry_run", jb->dry_run);
	dj_jw_obj_end(w);
	r->status = 202;
	return DJ_OK;
}

dj_rc api_import_job(struct dj_req *r)
{
	static const char *const states[] = { "running", "done", "failed" };
	static const char *const phases[] = { "parse", "validate", "commit", "done" };
	struct dj_jobs *js = r->app->jobs;
	int64_t id;
	dj_rc rc = dj_req_param_id(r, 0, &id);
	if (rc)
		return rc;
	pthread_mutex_lock(&js->mu);
	struct job *jb = js->jobs[id % MAX_JOBS];
	if (!jb || jb->id != id || jb->user_id != r->user->user_id) {
		pthread_mutex_unlock(&js->mu);
		return dj_req_fail(r, DJ_ERR_NOTFOUND, NULL, "导入任务不存在");
	}
	int state = atomic_load(&jb->state);
	int phase = atomic_load(&jb->prog.phase);
	struct dj_jw *w = dj_req_jw(r);
	dj_jw_obj_begin(w);
	dj_jw_kint(w, "job_id", id);
	dj_jw_kstr(w, "state", states[state]);
	dj_jw_kstr(w, "phase", phases[phase < 0 || phase > 3 ? 0 : phase]);
	dj_jw_kint(w, "processed", atomic_load(&jb->prog.processed));
	dj_jw_kint(w, "total", atomic_load(&jb->prog.total));
	dj_jw_key(w, "result");
	if (state == 0)
		dj_jw_null(w);
	else
		dj_import_result_write(&jb->res, w);
	if (state == 2 && jb->rc != DJ_ERR_INVALID)
		dj_jw_kstr(w, "error", dj_rc_message(jb->rc));
	dj_jw_obj_end(w);
	pthread_mutex_unlock(&js->mu);
	return DJ_OK;
}
