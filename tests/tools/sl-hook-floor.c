/* sl-hook-floor: the cost of a cgroup sendmsg hook with nothing in it.
 *
 *   sl-hook-floor CGROUP_DIR PIN_DIR
 *
 * Loads two programs that only return 1 (allow), attaches them to
 * CGROUP_DIR as BPF_CGROUP_UDP4_SENDMSG and BPF_CGROUP_UDP6_SENDMSG with
 * links, pins the links as PIN_DIR/floor4 and PIN_DIR/floor6 and exits.
 * Removing the pins detaches them. The send benchmark (tests/bench/bench.sh,
 * section send) measures sendmmsg with these against no hook and against
 * sluice's rules: the kernel takes the socket lock and runs the cgroup's
 * program array for each unconnected message whatever the program does, so
 * this is the floor any sendmsg policy pays. */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int attach_pinned(int cg_fd, enum bpf_attach_type type, const char *pin)
{
	/* r0 = 1; exit: allow the message, change nothing */
	const struct bpf_insn allow[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = type);
	int prog = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "sl_hook_floor", "GPL", allow,
				 sizeof(allow) / sizeof(allow[0]), &opts);
	if (prog < 0) {
		fprintf(stderr, "sl-hook-floor: load: %s\n", strerror(errno));
		return -1;
	}
	int link = bpf_link_create(prog, cg_fd, type, NULL);
	int err = link < 0 ? errno : 0;
	if (!err && bpf_obj_pin(link, pin))
		err = errno;
	if (err)
		fprintf(stderr, "sl-hook-floor: attach and pin %s: %s\n", pin, strerror(err));
	close(prog);
	if (link >= 0)
		close(link);
	return err ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sl-hook-floor CGROUP_DIR PIN_DIR\n");
		return 2;
	}
	int cg = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (cg < 0) {
		fprintf(stderr, "sl-hook-floor: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	char pin4[4096], pin6[4096];
	snprintf(pin4, sizeof(pin4), "%s/floor4", argv[2]);
	snprintf(pin6, sizeof(pin6), "%s/floor6", argv[2]);
	int rc = attach_pinned(cg, BPF_CGROUP_UDP4_SENDMSG, pin4) ||
		 attach_pinned(cg, BPF_CGROUP_UDP6_SENDMSG, pin6);
	if (rc)
		unlink(pin4);
	close(cg);
	return rc ? 1 : 0;
}
