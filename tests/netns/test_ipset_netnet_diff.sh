# hash:net,net (issue 10) against the kernel's ipset: the comparison of
# test_ipset_diff.sh over ipset_netnet_diff.cmds. Kernels without the type
# (this machine's 6.18: CONFIG_IP_SET_HASH_NETNET unset) cannot be its
# oracle, so it skips there; it runs in Debian 12's 6.1 guest:
#   sh tests/kernel/guest.sh build 6.1.0-57-amd64 OUT netns/test_ipset_netnet_diff
IPSET_DIFF_CMDS=$(dirname "$0")/ipset_netnet_diff.cmds
IPSET_DIFF_KCONFIG=CONFIG_IP_SET_HASH_NETNET
IPSET_DIFF_MIN=238
. "$(dirname "$0")/test_ipset_diff.sh"
