#!/usr/bin/env bash
# Print the path of a free-threaded CPython 3.13 (configure --disable-gil),
# building it first if this machine has none.
#
#   tools/python-ft.sh            # free-threaded build, /opt/march-py313t
#   tools/python-ft.sh --tsan     # the same with ThreadSanitizer,
#                                 # /opt/march-py313t-tsan
#
# Where the workplace's shared builder exists (../shared/tools/python-ft.sh
# beside the repository, or /work/shared/tools/python-ft.sh) it is used;
# otherwise this script builds from Debian 13's python3.13 source package
# itself (needs root for apt, about 8-10 minutes on 2 cores).  Progress goes
# to stderr; stdout is only the interpreter's path.
set -euo pipefail
TSAN=""
[ "${1:-}" = "--tsan" ] && TSAN=1
PREFIX=/opt/march-py313t${TSAN:+-tsan}
PY=$PREFIX/bin/python3.13t
if [ -x "$PY" ] && "$PY" -c 'import sys; sys.exit(sys._is_gil_enabled())' 2>/dev/null; then
    echo "$PY"; exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
for shared in "$here/../shared/tools/python-ft.sh" /work/shared/tools/python-ft.sh; do
    if [ -f "$shared" ]; then
        exec bash "$shared" ${TSAN:+--tsan}
    fi
done

log() { echo "python-ft: $*" >&2; }
uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$uri" ] || { log "no apt source found"; exit 1; }
echo "deb-src $uri trixie main" > /etc/apt/sources.list.d/march-trixie-src.list
log "apt-get update"
apt-get update -qq >&2
work=$(mktemp -d /tmp/march-python-ft.XXXX)
cd "$work"
got=""
for ver in $(apt-cache showsrc python3.13 | awk '/^Version:/{print $2}'); do
    if apt-get source --download-only -qq "python3.13=$ver" >/dev/null 2>&1; then
        got=$ver; break
    fi
    rm -f python3.13_*
done
[ -n "$got" ] || { log "could not download the python3.13 source package"; exit 1; }
log "python3.13 $got: configure, make -j$(nproc)"
tar xf python3.13_*.orig.tar.xz
cd Python-3.13*/
./configure -q --disable-gil ${TSAN:+--with-thread-sanitizer} --prefix="$PREFIX" >&2
make -s -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -20 "$work/make.log" >&2; exit 1; }
make -s install >"$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; exit 1; }
rm -rf "$work"
"$PY" -c 'import sys; assert not sys._is_gil_enabled(), "the GIL is on"' >&2
echo "$PY"
