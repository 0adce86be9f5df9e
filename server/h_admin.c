/* h_admin.c: administration requests. AdminStats: how the group commit
 * is doing (commits, requests per commit) and who is connected. */
#include "handlers.h"
#include "hutil.h"

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
	SET_BODY(h, ADMIN_STATS, admin_stats, r);
	return OK;
}
