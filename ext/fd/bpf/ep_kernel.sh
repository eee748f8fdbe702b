#!/bin/sh
# ep_kernel.sh: what the endpoints table's fixed-offset program (endpoints.bpf.c, EP_FIXED) is
# built for: the running kernel's BTF ids of the types it casts to, and what identifies that
# kernel (its release, version and BTF size), which fd_peers.c compares before loading it.
set -e
btf=/sys/kernel/btf/vmlinux
dump=$(bpftool btf dump file $btf)
for t in file inode socket task_struct; do
    id=$(printf '%s\n' "$dump" | sed -n "s/^\[\([0-9]*\)\] STRUCT '$t' .*/\1/p" | head -1)
    [ -n "$id" ] || { echo "ep_kernel.sh: no struct $t in $btf" >&2; exit 1; }
    echo "#define EP_BTF_ID_$t $id"
done
printf '#define EP_BUILD_RELEASE "%s"\n' "$(cat /proc/sys/kernel/osrelease)"
printf '#define EP_BUILD_VERSION "%s"\n' "$(cat /proc/sys/kernel/version | sed 's/["\\]/\\&/g')"
printf '#define EP_BUILD_BTF_SIZE %sLL\n' "$(stat -c %s $btf)"
