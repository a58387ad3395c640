/* meeting.h — organizational life (三会一课 and more): meeting records with one or more types,
 * attendance with 应到 from the register (VOTE-3 exclusions), quorum and vote thresholds
 * (S-1, S-2, VOTE-2, MTG-2), QR sign-in, review by the upper organization, attachments. */
#ifndef DJ_MEETING_H
#define DJ_MEETING_H
#include <stdbool.h>
#include "dj/model.h"

extern const struct dj_entity dj_meeting_entity;

/** S-1 "超过半数": the least number that is more than half of n (floor(n/2)+1). */
int64_t dj_vote_majority_min(int64_t n);
/** S-2 "超过 4/5" (strict: floor(4n/5)+1) or "不少于 4/5" (ceil(4n/5)). */
int64_t dj_vote_four_fifths_min(int64_t n, bool strict);

/** Create a meeting (status planned or held by whether held_on is set); audited. */
dj_rc dj_meeting_create(const struct dj_model_ctx *x, struct dj_value *vals, int64_t *id, struct dj_model_err *err);
/** Update a meeting that is not submitted/accepted; audited. */
dj_rc dj_meeting_update(const struct dj_model_ctx *x, int64_t id, struct dj_value *vals, struct dj_model_err *err);
/** Soft delete (not once accepted); audited. */
dj_rc dj_meeting_delete(const struct dj_model_ctx *x, int64_t id, const char *reason, struct dj_model_err *err);
/** Write the meeting with its attendance summary, quorum checks and votes. */
dj_rc dj_meeting_write(const struct dj_model_ctx *x, int64_t id, struct dj_jw *w);

/** Record attendance: JSON array [{member_id, status, late?, reason?}]; members must belong to
 *  the meeting's org (direct members, or the group's members for a 党小组会); audited. */
dj_rc dj_meeting_attendance_set(const struct dj_model_ctx *x, int64_t id, const json_t *items, struct dj_model_err *err);
/** Write the expected attendees with their recorded status as list items. */
dj_rc dj_meeting_attendance_write(const struct dj_model_ctx *x, int64_t id, struct dj_jw *w, int64_t *n);

/** Record a vote {subject, kind: resolution|admission|conversion|election, yes, no, abstain,
 *  present_voting?, eligible?, written_yes?}; thresholds applied exactly; audited. */
dj_rc dj_meeting_vote_add(const struct dj_model_ctx *x, int64_t id, const json_t *body, int64_t *vote_id,
			  struct dj_model_err *err);

/** Branch submits (submit), the upper organization accepts or returns it with a comment. */
dj_rc dj_meeting_review(const struct dj_model_ctx *x, int64_t id, const char *action, const char *comment,
			struct dj_model_err *err);

/** A short-lived sign-in token for the meeting's QR code (ttl seconds); out ≥ 65 bytes. */
dj_rc dj_meeting_checkin_token(const struct dj_model_ctx *x, int64_t id, int ttl, char *out, int64_t *expires);
/** A member signs in with a token: marks their own attendance present (late if after start). */
dj_rc dj_meeting_checkin(const struct dj_model_ctx *x, int64_t id, const char *token, struct dj_model_err *err);

/** Store an attachment (photo or PDF, checked by content, ≤ max bytes); audited. */
dj_rc dj_meeting_attach(const struct dj_model_ctx *x, int64_t id, const char *name, const void *data, size_t len,
			size_t max, int64_t *att_id, struct dj_model_err *err);
/** Read an attachment of a meeting in scope: data (dj_malloc'd), its mime and name. */
dj_rc dj_meeting_attachment(const struct dj_model_ctx *x, int64_t id, int64_t att_id, char **data, size_t *len,
			    char *mime, size_t mime_n, char *name, size_t name_n);

#endif
