/* h_admin.c: administration requests. AdminStats: how the group commit
 * is doing (commits, requests per commit) and who is connected;
 * AdminBackup: an online copy of the database. */
#include "concurrency.h"
#include "handlers.h"
#include "hutil.h"
#include "log.h"
#include "store_ops.h"
#include "validate.h"

#include "checkpoint.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int h_admin_stats(struct hctx *h)
{
	const struct server *srv = h->srv;
	Pb__AdminStatsReply *r = arena_new(h->arena, Pb__AdminStatsReply);
	pb__admin_stats_reply__init(r);
	r->has_commits = r->has_write_requests = r->has_requests_per_commit = 1;
	r->commits = srv->stats.commits;
	r->write_requests = srv->stats.write_requests;
	r->requests_per_commit = srv->stats.commits ? (double)srv->stats.write_requests / (double)srv->stats.commits : 0;
	r->has_connections = r->has_watchers = r->has_events = 1;
	r->connections = srv->n_conns;
	r->watchers = srv->n_watchers;
	r->events = srv->committed_seq;
	r->has_requests = r->has_uptime_seconds = r->has_watchers_dropped = 1;
	r->requests = srv->stats.requests;
	r->uptime_seconds = (int64_t)(time(NULL) - srv->started);
	r->watchers_dropped = srv->stats.watchers_dropped;
	r->has_checkpoints = 1;
	r->checkpoints = srv->ckpt ? checkpointer_count(srv->ckpt) : 0;
	SET_BODY(h, ADMIN_STATS, admin_stats, r);
	return OK;
}

/* Copy the live database to a new file on the server with SQLite's online
 * backup API. Pending group-commit writes are committed first so the copy
 * holds every write acknowledged before it; the copy is read through its
 * own connection, in steps, and writers queue behind it only for the time
 * the copy takes (see docs/OPERATIONS.md). */
int h_admin_backup(struct hctx *h)
{
	const char *path = h->req->admin_backup->path;
	/* It commits the open group: never inside a batch's transaction. */
	if (batch_running(h->conn))
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "a backup cannot be part of a batch");
	if (path == NULL || *path == '\0')
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "the backup path is required");
	if (path[0] != '/')
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
				 "the backup path must be absolute (it is a path on the server)");
	if (strlen(path) > 4096 || !valid_utf8(path, 4096))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "the backup path is not valid");
	server_commit_now(h->srv);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int64_t pages = 0, bytes = 0;
	char *err = NULL;
	if (store_backup(h->st, path, &pages, &bytes, &err) != 0) {
		log_warn("backup failed path=%s error=\"%s\"", path, err);
		int rc = hctx_fail(h, strstr(err, "already exists") ? PB__STATUS__CONFLICT : PB__STATUS__INTERNAL,
				   "%s", err);
		free(err);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	log_info("backup written path=%s pages=%lld bytes=%lld ms=%ld user=%s", path, (long long)pages,
		 (long long)bytes, ms, h->who->name);
	Pb__AdminBackupReply *r = arena_new(h->arena, Pb__AdminBackupReply);
	pb__admin_backup_reply__init(r);
	r->path = arena_strdup(h->arena, path);
	r->has_bytes = r->has_pages = 1;
	r->bytes = bytes;
	r->pages = pages;
	h->resp->body_case = PB__RESPONSE__BODY_ADMIN_BACKUP;
	h->resp->admin_backup = r;
	return PB__STATUS__OK;
}
