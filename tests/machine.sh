# Facts about the machine a test may rely on or skip for, shared by
# tests/run.sh, tests/netns/lib.sh and tests that source neither.
#
# Run as root, a skip is honest only when it states a property of the
# machine that can be checked here: "machine: CONFIG_X is not set" (read
# from /proc/config.gz or /boot/config-RELEASE) or "machine: BTF has no NAME"
# (the kernel's BTF).
# run.sh re-checks the claim; a missing tool is never such a property: a
# test calls `require TOOL` and fails, naming the package to install.
#
#   SL_SRC=SOURCE_TREE; . "$SL_SRC/tests/machine.sh"
#   require nft ipset          # fail unless installed
#   kconfig_unset CONFIG_X     # true when the running kernel lacks it

# package_of TOOL: the package mk/deps.sh installs it from (empty if none)
package_of() {
	tr ' \t"' '\n\n\n' <"${SL_SRC:-.}/mk/deps.sh" 2>/dev/null | sed -n "s|^$1:||p" | head -n 1
}

# require TOOL...: each must be on PATH; a missing one fails the test
require() {
	for tool; do
		command -v "$tool" >/dev/null 2>&1 && continue
		pkg=$(package_of "$tool")
		echo "FAIL: missing $tool (${pkg:+package $pkg: }$([ -n "$pkg" ] && echo "'make deps' installs it" ||
			echo "not in mk/deps.sh's list: add it there"))"
		exit 1
	done
}

# kconfig_text: the running kernel's config, from /proc/config.gz or, as
# Debian ships it, /boot/config-RELEASE; fails when neither is readable
kconfig_text() {
	if [ -r /proc/config.gz ]; then
		gzip -dc /proc/config.gz
	elif [ -r "/boot/config-$(uname -r)" ]; then
		cat "/boot/config-$(uname -r)"
	else
		return 1
	fi
}

# kconfig_unset CONFIG_X: the running kernel's config does not set it (1
# when it is set or the config cannot be read: nothing to claim then)
kconfig_unset() {
	kconfig_text >/dev/null 2>&1 || return 1
	! kconfig_text | grep -q "^$1=[ym]"
}

# btf_lacks NAME: the kernel's BTF has no type named NAME (1 when it has
# one or BTF cannot be read)
btf_lacks() {
	out=$(bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null) || return 1
	! printf '%s\n' "$out" | grep -q " '$1' "
}

# machine_claim_true TEXT: TEXT (what follows "machine: ") is true here
machine_claim_true() {
	case $1 in
	"not root"*) [ "$(id -u)" != 0 ] ;;
	CONFIG_*" is not set"*) kconfig_unset "${1%% *}" ;;
	"BTF has no "*) set -- "${1#BTF has no }"; btf_lacks "${1%% *}" ;;
	*) return 1 ;;
	esac
}
