#include "core/daemon.h"

#include "common/reply.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "core/body.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/pin.h"
#include "core/request.h"
#include "lib/kernel.h"
#include "default_config.h"

const char *sl_daemon_config_name(const struct sl_daemon *d)
{
	return d->config_path ? d->config_path : "<default>";
}

char *sl_daemon_config_text(const struct sl_daemon *d, struct sl_error *err)
{
	char *t;

	if (d->config_path)
		return sl_config_read(d->config_path, err);
	t = strdup(sl_default_config);
	if (!t)
		sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	return t;
}

/* A feature's periodic work, as the loop calls it. */
struct sl_daemon_timer {
	int fd;
	void (*run)(void *priv);
	void *priv;
};

static void on_feature_timer(void *arg)
{
	const struct sl_daemon_timer *t = arg;

	t->run(t->priv);
}

static int add_feature_timers(struct sl_daemon *d)
{
	int n = 0, k = 0;

	for (int i = 0; i < sl_nfeatures; i++)
		for (const struct sl_feature_timer *t = sl_features[i]->timers; t && t->run; t++)
			n++;
	d->timers = calloc((size_t)n + 1, sizeof(*d->timers));
	if (!d->timers)
		return -1;
	for (int i = 0; i <= n; i++)
		d->timers[i].fd = -1;
	for (int i = 0; i < sl_nfeatures; i++)
		for (const struct sl_feature_timer *t = sl_features[i]->timers; t && t->run; t++, k++) {
			d->timers[k].run = t->run;
			d->timers[k].priv = d->priv[i];
			d->timers[k].fd = sl_loop_add_timer(d->loop, t->period_ms, on_feature_timer, &d->timers[k]);
			if (d->timers[k].fd < 0)
				return -1;
		}
	return 0;
}

int sl_daemon_init(struct sl_daemon *d, struct sl_error *err)
{
	d->loop = d->env.loop = sl_loop_new();
	d->priv = calloc((size_t)sl_nfeatures, sizeof(*d->priv));
	if (!d->loop || !d->priv || sl_states_new(&d->states))
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	for (int i = 0; i < sl_nfeatures; i++) {
		d->priv[i] = calloc(1, sl_features[i]->priv_size);
		if (!d->priv[i])
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		sl_features[i]->priv_init(d->priv[i]);
	}
	if (add_feature_timers(d))
		return sl_fail(err, SL_E_KERNEL, 0, "event loop timers: %s", strerror(errno));
	return 0;
}

/* Features apply last-listed first. Each apply is all or nothing, but
 * what one feature changed cannot be undone at start (what an earlier
 * daemon left pinned is no state this one holds), so a start must fail
 * before anything has changed. list.h lists first what needs nothing of
 * the host (drops: tracepoints) and after it the features on the host's
 * devices and namespaces, which are what a staged config can still fail on
 * (a device that is missing or taken): they go first. */
static int apply_order(int k)
{
	return sl_nfeatures - 1 - k;
}

int sl_daemon_apply(struct sl_daemon *d, struct sl_states *next, bool replace, struct sl_error *err)
{
	int i = 0, k;

	for (k = 0; k < sl_nfeatures; k++) {
		i = apply_order(k);
		sl_fault_point(d->started ? "reload-core" : "start", d->started ? 1 + k : SL_START_FEATURES + k);
		if (sl_features[i]->apply(&d->env, d->priv[i], next->st[i], replace, err))
			break;
	}
	if (k == sl_nfeatures) {
		sl_states_free(&d->states);
		d->states = *next;
		next->st = NULL;
		d->started = true;
		return 0;
	}
	if (!d->started) {
		/* at start the "previous state" is none: rolling back would tear
		 * down what an earlier daemon left pinned; the failing feature
		 * itself changed nothing (the caller reports the error) */
		return -1;
	}
	sl_err("%s: %s; restoring the previous state", sl_features[i]->name, err->msg);
	while (k-- > 0) {
		struct sl_error e2 = { 0 };

		i = apply_order(k);
		if (sl_features[i]->apply(&d->env, d->priv[i], d->states.st[i], false, &e2))
			sl_err("%s: could not restore the previous state: %s", sl_features[i]->name, e2.msg);
	}
	return -1;
}

int sl_daemon_reload(struct sl_daemon *d, struct sl_error *err)
{
	struct sl_states next = { 0 };
	char *text = sl_daemon_config_text(d, err);
	int rc = -1;

	if (!text)
		return -1;
	if (sl_config_stage(text, &next, NULL, err))
		sl_config_print_error(stderr, sl_daemon_config_name(d), text, err);
	else if ((rc = sl_daemon_apply(d, &next, true, err)) && err->line) {
		sl_config_locate(text, err); /* the reply carries the column too */
		sl_config_print_error(stderr, sl_daemon_config_name(d), text, err);
	}
	sl_states_free(&next);
	free(text);
	return rc;
}

static json_object *status_json(struct sl_daemon *d)
{
	json_object *o = json_object_new_object(), *feats = json_object_new_array();

	json_object_object_add(o, "version", json_object_new_string(SLUICE_VERSION));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "config", json_object_new_string(sl_daemon_config_name(d)));
	json_object_object_add(o, "pin_root", json_object_new_string(d->env.pin_root));
	json_object_object_add(o, "socket", json_object_new_string(d->socket_path));
	json_object_object_add(o, "kernel", sl_kernel_status());
	for (int i = 0; i < sl_nfeatures; i++) {
		json_object *f = sl_features[i]->status(&d->env, d->priv[i], d->states.st[i]);

		json_object_object_add(f, "name", json_object_new_string(sl_features[i]->name));
		json_object_array_add(feats, f);
	}
	json_object_object_add(o, "features", feats);
	return o;
}

static json_object *save_json(struct sl_daemon *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_object *o;

	if (!f)
		return NULL;
	sl_config_save(&d->states, d->priv, f);
	fclose(f);
	o = json_object_new_object();
	json_object_object_add(o, "config", json_object_new_string(buf));
	free(buf);
	return o;
}

/* a config command at run time: stage onto a copy, apply that feature */
static int run_config_cmd(struct sl_daemon *d, int f, const struct sl_cmd *cmd, struct sl_error *err)
{
	const struct sl_feature *feat = sl_features[f];
	void *next;
	int rc = -1;

	if (cmd->spec->run)
		return cmd->spec->run(&d->env, d->priv[f], d->states.st[f], cmd, err);
	next = malloc(feat->state_size);
	if (!next)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	memcpy(next, d->states.st[f], feat->state_size);
	d->env.interactive = true;
	if (!cmd->spec->stage(next, cmd, err) && !feat->apply(&d->env, d->priv[f], next, false, err)) {
		memcpy(d->states.st[f], next, feat->state_size);
		rc = 0;
	}
	d->env.interactive = false;
	free(next);
	return rc;
}

/* the core's commands (core/cmds.c) */
int sl_core_status(void *daemon, const struct sl_cmd *cmd, json_object **out, struct sl_error *err)
{
	(void)cmd, (void)err;
	*out = status_json(daemon);
	return 0;
}

int sl_core_save(void *daemon, const struct sl_cmd *cmd, json_object **out, struct sl_error *err)
{
	(void)cmd, (void)err;
	*out = save_json(daemon);
	return 0;
}

int sl_core_reload(void *daemon, const struct sl_cmd *cmd, json_object **out, struct sl_error *err)
{
	(void)cmd, (void)out;
	return sl_daemon_reload(daemon, err);
}

static int core_cmd(void *ctx, const struct sl_cmd *cmd, json_object **data, struct sl_error *err)
{
	return cmd->spec->core(ctx, cmd, data, err);
}

static int config_cmd(void *ctx, int f, const struct sl_cmd *cmd, struct sl_error *err)
{
	return run_config_cmd(ctx, f, cmd, err);
}

static int query_cmd(void *ctx, int f, const struct sl_cmd *cmd, struct sl_body *body, json_object **data,
		     struct sl_error *err)
{
	struct sl_daemon *d = ctx;
	int rc;

	d->env.body = body;
	rc = cmd->spec->query(&d->env, d->priv[f], d->states.st[f], cmd, data, err);
	d->env.body = NULL;
	return rc;
}

static const char *config_source(void *ctx)
{
	return sl_daemon_config_name(ctx);
}

static const struct sl_request_ops daemon_ops = {
	.core = core_cmd, .config = config_cmd, .query = query_cmd, .source = config_source,
};

char *sl_daemon_request(void *daemon, const char *line, int fd, const char *rest, size_t rest_len)
{
	return sl_request_answer(&daemon_ops, daemon, line, fd, rest, rest_len);
}

static void handled_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
}

void sl_daemon_block_signals(void)
{
	sigset_t mask;

	handled_signals(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void on_signal(void *arg, int fd, uint32_t events)
{
	struct sl_daemon *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct sl_error err = { 0 };

			sd_notify(0, "RELOADING=1");
			if (sl_daemon_reload(d, &err))
				sl_err("reload failed, nothing changed: %s", err.msg);
			else
				sl_info("reloaded %s", sl_daemon_config_name(d));
			sd_notify(0, "READY=1");
		} else {
			sl_info("signal %u: stopping; the pinned dataplane keeps running", si.ssi_signo);
			sl_loop_stop(d->loop);
		}
	}
}

int sl_daemon_run(struct sl_daemon *d)
{
	sigset_t mask;

	handled_signals(&mask);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sigfd < 0 || sl_loop_add_fd(d->loop, d->sigfd, EPOLLIN, on_signal, d)) {
		sl_err("event loop setup: %s", strerror(errno));
		return -1;
	}
	if (sl_loop_run(d->loop)) {
		sl_err("epoll_wait: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void sl_daemon_fini(struct sl_daemon *d)
{
	sl_ctl_close(&d->ctl);
	for (int i = 0; d->timers && d->timers[i].fd >= 0; i++)
		sl_loop_close_fd(d->loop, &d->timers[i].fd);
	free(d->timers);
	sl_loop_close_fd(d->loop, &d->sigfd);
	for (int i = 0; d->priv && i < sl_nfeatures; i++) {
		if (d->priv[i])
			sl_features[i]->release(d->priv[i]);
		free(d->priv[i]);
	}
	free(d->priv);
	sl_loop_free(d->loop);
	d->loop = d->env.loop = NULL;
	sl_states_free(&d->states);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
}
