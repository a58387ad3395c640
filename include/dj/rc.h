/* rc.h — the one result enum of dangjian and its mapping to HTTP status. */
#ifndef DJ_RC_H
#define DJ_RC_H

/** Result of every fallible function. DJ_OK is 0; everything else is a failure
 *  except DJ_ROW/DJ_DONE, which are step results of database statements. */
enum dj_rc {
	DJ_OK = 0,
	DJ_ROW,           /* a statement produced a row */
	DJ_DONE,          /* a statement has no more rows */
	DJ_ERR_NOMEM,
	DJ_ERR_INVALID,   /* bad input: 422 (validation) */
	DJ_ERR_BADREQ,    /* malformed request: 400 */
	DJ_ERR_TOOBIG,    /* over a named limit: 413 */
	DJ_ERR_NOTFOUND,  /* missing or outside the caller's scope: 404 */
	DJ_ERR_CONFLICT,  /* duplicate or state conflict: 409 */
	DJ_ERR_UNAUTH,    /* not logged in / bad credentials: 401 */
	DJ_ERR_FORBIDDEN, /* logged in but not allowed: 403 */
	DJ_ERR_LOCKED,    /* account locked: 423 */
	DJ_ERR_METHOD,    /* method not allowed: 405 */
	DJ_ERR_BUSY,      /* database busy / unavailable: 503 */
	DJ_ERR_READONLY,  /* storage cannot be written (disk full, read-only): 503 */
	DJ_ERR_IO,        /* file or network failure: 500 */
	DJ_ERR_DB,        /* unexpected database failure: 500 */
	DJ_ERR_CORRUPT,   /* integrity failure (audit chain, database): 500 */
	DJ_ERR_INTERNAL,  /* a bug: 500 */
};
typedef enum dj_rc dj_rc;

/** HTTP status for a result (DJ_OK → 200). */
int dj_rc_http_status(dj_rc rc);

/** Stable snake_case code for a result, used as error.code in API bodies. */
const char *dj_rc_code(dj_rc rc);

/** Default Chinese message for a result; static storage. */
const char *dj_rc_message(dj_rc rc);

#endif
