/* bench.h: planboard-bench, a single-threaded non-blocking load generator
 * speaking the real protocol through the project's codec (frame.h, wire.h).
 * bench_net.c is the epoll engine and the blocking set-up connection,
 * bench_seed.c the seeding, bench_probe.c the SQLite probe and RSS reading,
 * planboard-bench.c the options, scenarios and report. */
#ifndef PLANBOARD_BENCH_H
#define PLANBOARD_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "wire.h"

enum op {
	OP_PING,
	OP_ACTION_SHOW,
	OP_ACTION_LIST,
	OP_ACTION_UPDATE,
	OP_METRIC_SUBMIT,
	OP_METRIC_COMPARE,
	OP_REPORT,
	N_OPS,
};

struct op_info {
	const char *name;
	int resp_body;   /* Pb__Response__BodyCase a good answer carries */
	bool write;
};
extern const struct op_info op_info[N_OPS];

/* Names the bench creates, shared by seeding and the load. */
#define BENCH_PLAN "bench"
#define BENCH_LOCALITY "bench-loc"
#define BENCH_METRIC "bench_metric"
#define ACTIONS_PER_THEME 50

struct target {
	const char *host;
	int port;
	const char *user;
	const char *password;
	char *token;          /* issued at set-up; every load connection uses it */
};

/* What the load works on (set by seeding or by counting what exists). */
struct dataset {
	unsigned actions;     /* refs a000001.. */
	unsigned localities;  /* bench-l001.. */
	unsigned months;      /* periods of measurements per locality */
	unsigned metrics;     /* bench_metric, bench_m002.. (the load uses the first) */
	const char *report_plan, *report_as_of;  /* the report op's (demo plan) */
};

struct error_note {
	uint64_t count;
	int status;
	char first[200];      /* first message seen */
};

struct run_result {
	double seconds;
	uint64_t done;            /* responses received in the measured window */
	uint64_t errors;
	struct error_note err[N_OPS];
	uint64_t per_op[N_OPS];
	uint64_t *lat_ns;         /* one per measured response */
	size_t n_lat, cap_lat;
	double p50, p90, p99, p999, max;   /* milliseconds */
	unsigned connected;
	unsigned failed_connects;
};

struct run_spec {
	unsigned weights[N_OPS];
	unsigned connections;
	unsigned pipeline;
	double duration;          /* seconds measured (0: use requests) */
	double warmup;            /* seconds before measuring */
	uint64_t requests;        /* total, if duration is 0 */
	bool hold;                /* idle mode: connect, authenticate, stop */
};

/* bench_net.c */
int net_connect(const struct target *t);
/* Blocking pipelined exchange on a set-up connection: send n requests,
 * return their n answers in order (caller frees each). -1: I/O error. */
int sync_exchange(int fd, struct frame_reader *rd, Pb__Request **reqs, size_t n,
		  Pb__ServerFrame **out);
/* Connect, Hello, Login with the password asking for a token. */
int setup_session(struct target *t, int *fd_out, struct frame_reader *rd, char *err, size_t errlen);
/* Run a load phase; fills res. Idle mode keeps the connections open
 * until idle_close() (their fds are in *idle_fds). */
int run_load(const struct target *t, const struct dataset *ds, const struct run_spec *spec,
	     struct run_result *res, int **idle_fds);
void result_free(struct run_result *res);
uint64_t now_ns(void);

/* Builds the request for op number i of a run (bench_seed.c). */
void build_request(enum op op, const struct dataset *ds, uint64_t rnd, Pb__Request *req, void *scratch);
#define SCRATCH_SIZE 1024

/* bench_seed.c: create the plan, themes, actions, localities, metrics and
 * measurements (metrics x localities x months) through the protocol as
 * admin; existing ones are kept. */
struct seed_spec {
	unsigned actions, updates, localities, months, metrics;
};
int seed(struct target *t, struct dataset *ds, const struct seed_spec *spec, bool quiet);

/* bench_probe.c */
/* One-row-per-commit rate of SQLite, WAL, synchronous=FULL, for secs. */
double probe_sqlite(const char *dir, double secs, char *err, size_t errlen);
/* Resident set of a process in KiB, -1 if unknown. */
long rss_kib(long pid);
/* Raise RLIMIT_NOFILE of this process to its hard limit; returns it. */
long raise_nofile(void);

#endif
