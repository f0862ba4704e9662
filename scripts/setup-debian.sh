#!/bin/sh
# Installs what offerscan needs to build and test on Debian 12, as root.
# Safe to run again: it installs only what is missing.
set -eu
need=""
for pkg in build-essential cmake pkg-config time libpcre2-dev libyaml-dev libutf8proc-dev \
           libjansson-dev libcsv-dev libsodium-dev libhyperscan-dev python3 python3-yaml iso-codes ripgrep parallel \
           clang-14 libclang-rt-14-dev; do
    # Hyperscan exists only on x86-64; elsewhere Vectorscan has the same API.
    if [ "$pkg" = libhyperscan-dev ] && [ "$(dpkg --print-architecture)" != amd64 ]; then
        pkg=libvectorscan-dev
    fi
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need="$need $pkg"
done
# clang-14 and libclang-rt-14-dev build the libFuzzer targets (tests/fuzz/, ctest -L fuzz).
# Headless Chromium opens the HTML report in the tests (tests/report/check_html.sh);
# it is large, so it is installed only when no Chromium is there already.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    need="$need chromium"
fi
if [ -n "$need" ]; then
    echo "setup: installing$need"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
