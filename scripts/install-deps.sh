#!/usr/bin/env bash
# Install the Debian packages rete needs to build and test, only when something is missing.
# Does nothing (and needs no root) when everything is already there.
set -eu

# "package:what-proves-it-is-installed" (a command on PATH, or an absolute file path).
deps=(
	"make:make"
	"gcc:gcc"
	"clang:clang"
	"libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a"
	"llvm:llvm-strip"
	"bpftool:bpftool"
	"libbpf-dev:/usr/include/bpf/libbpf.h"
	"libelf-dev:/usr/include/libelf.h"
	"zlib1g-dev:/usr/include/zlib.h"
	"libpcap-dev:/usr/include/pcap/pcap.h"
	"libcmocka-dev:/usr/include/cmocka.h"
	"libjson-c-dev:/usr/include/json-c/json.h"
	"libyaml-dev:/usr/include/yaml.h"
	"libnftnl-dev:/usr/include/libnftnl/trace.h"
	"libmnl-dev:/usr/include/libmnl/libmnl.h"
	"pkg-config:pkg-config"
	"iproute2:ip"
	"iputils-ping:ping"
	"socat:socat"
	"nftables:nft"
	"conntrack:conntrack"
	"tcpdump:tcpdump"
	"tshark:tshark"
	"jq:jq"
	"procps:pgrep"
	"python3:/usr/bin/python3"
	"python3-jsonschema:/usr/lib/python3/dist-packages/jsonschema/__init__.py"
	"python3-dev:/usr/bin/python3-config"
	"python3-pytest:/usr/lib/python3/dist-packages/pytest/__init__.py"
	"python3-scapy:/usr/lib/python3/dist-packages/scapy/__init__.py"
	"time:/usr/bin/time"
	"zsh:zsh"
	"fish:fish"
)

have() {
	case "$1" in
	/*) [ -e "$1" ] ;;
	*) PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1 ;;
	esac
}

missing=()
for d in "${deps[@]}"; do
	pkg=${d%%:*}
	probe=${d#*:}
	have "$probe" || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-deps: missing packages (${missing[*]}) and not root; run as root or install sudo" >&2
		exit 1
	fi
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
