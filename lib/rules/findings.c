/* findings.c — the JSON shape of a rule finding, shared by every area that produces findings. */
#include "dj/findings.h"
#include "dj/banned.h"

const char *dj_severity_name(enum dj_severity s)
{
	return s == DJ_SEV_ERROR ? "error" : s == DJ_SEV_WARNING ? "warning" : "info";
}

void dj_finding_write(struct dj_jw *w, const struct dj_finding *f)
{
	dj_jw_obj_begin(w);
	dj_jw_kstr(w, "rule", f->rule);
	dj_jw_kstr(w, "severity", dj_severity_name(f->severity));
	dj_jw_kstr(w, "message", f->message);
	dj_jw_kint_or_null(w, "org_id", f->org_id, f->org_id == 0);
	dj_jw_kint_or_null(w, "member_id", f->member_id, f->member_id == 0);
	dj_jw_kstr(w, "period", f->period);
	dj_jw_kstr(w, "due_on", f->due_on);
	dj_jw_kstr(w, "source", f->source);
	dj_jw_kstr(w, "version", f->version);
	dj_jw_obj_end(w);
}
