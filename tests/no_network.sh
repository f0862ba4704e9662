#!/bin/sh
# offerscan works only on what it is given: the executable and the library
# must not import any networking function. Fails when `nm` finds one of
# them among the undefined (imported) symbols.
# Usage: no_network.sh OFFERSCAN_EXECUTABLE LIBOFFSCAN_STATIC_LIBRARY
set -u
exe=$1
lib=$2
command -v nm >/dev/null 2>&1 || { echo "no_network: nm not found (binutils)"; exit 1; }
forbidden='^(socket|socketpair|connect|getaddrinfo|getnameinfo|gethostbyname|gethostbyname2|gethostbyaddr|bind|listen|accept|accept4|send|sendto|sendmsg|recv|recvfrom|recvmsg|curl_.*)$'
status=0
check() { # what, the symbol list
    found=$(printf '%s\n' "$2" | sed -e 's/.* U //' -e 's/^ *U //' -e 's/@.*//' | awk '{print $NF}' | grep -E "$forbidden" | sort -u)
    if [ -n "$found" ]; then
        echo "FAIL $1 imports networking functions:"
        echo "$found" | sed 's/^/    /'
        status=1
    else
        echo "ok   $1: no networking symbol"
    fi
}
syms=$(nm -D --undefined-only "$exe") || { echo "FAIL cannot read $exe"; exit 1; }
[ -n "$syms" ] || { echo "FAIL $exe lists no imported symbol: is it dynamically linked?"; exit 1; }
check "$exe (nm -D --undefined-only)" "$syms"
syms=$(nm -u "$lib" 2>/dev/null) || { echo "FAIL cannot read $lib"; exit 1; }
check "$lib (nm -u)" "$syms"
exit $status
