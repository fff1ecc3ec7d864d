#!/bin/bash
# packaging/check.sh: the CI check of the release build and the Debian packages.
#
# Checks the committed state of HEAD (exported with git archive), not the working tree.
# Installs nothing. Needs go, git, dpkg-deb, lintian, systemd-analyze (package systemd);
# udevadm and shellcheck are used when present. Exit status 0 when every check passes.
#
#   packaging/check.sh [VERSION]
#
# 1. go test ./packaging: the udev rules (syntax, and a model of udev evaluating them against
#    each supported modem), `udevadm verify` when the installed udev has it (systemd >= 254).
# 2. build.sh twice into two directories, the second with an empty Go build cache, and
#    compare the SHA-256 of every binary and .deb: the build must be reproducible.
#    FIRMLINE_CHECK_QUICK=1 reuses the build cache for the second build (faster, weaker).
# 3. the binaries: static, right machine, stripped, no build paths (Go test on debug/elf);
#    `firmline version` names the version and commit (when the host can run amd64); every
#    Go module linked in is covered by debian/copyright.
# 4. each .deb: control fields, conffiles, the expected files with owner root and modes,
#    the packaged binary identical to the released one; lintian without errors.
# 5. the systemd unit as packaged: `systemd-analyze verify` (unit and socket) and
#    `systemd-analyze security --offline=true`, failing above an exposure of $MAX_EXPOSURE.
# 6. install, remove and purge the amd64 .deb in a scratch root (dpkg --root, as root only).
# 7. sysusers.d and tmpfiles.d entries applied to a scratch root; maintainer scripts parsed.
set -euo pipefail

MAX_EXPOSURE=2.0 # systemd-analyze's 0.0 (locked down) .. 10.0 (exposed) scale

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Check the committed tree of HEAD, exported once: uncommitted edits and commits landing
# while the check runs must not get into either build.
commit=$(git -C "$repo" rev-parse --short=12 HEAD)
export FIRMLINE_COMMIT="$commit"
SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct "$commit")
export SOURCE_DATE_EPOCH
mkdir "$work/src"
git -C "$repo" archive "$commit" | tar -x -C "$work/src"
cd "$work/src"
failures=0
step() { printf '\n== %s\n' "$*"; }
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	failures=$((failures + 1))
}

# check_lifecycle installs, removes and purges a .deb in a scratch root. The maintainer
# scripts honour DPKG_ROOT (systemd-sysusers/tmpfiles --root, deb-systemd-helper,
# dpkg-statoverride) and skip what only makes sense on a live system (udev, systemctl).
check_lifecycle() { # deb
	local r="$work/dpkgroot" dpkg
	mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/var/lib/dpkg/triggers" "$r/etc"
	touch "$r/var/lib/dpkg/status"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\ndialout:x:20:\n' >"$r/etc/group"
	dpkg=(dpkg --root="$r" --force-script-chrootless --force-depends --log=/dev/null)
	"${dpkg[@]}" -i "$1" >"$work/dpkg.log" 2>&1 || {
		cat "$work/dpkg.log"
		fail "install"
		return
	}
	local uid gid
	uid=$(awk -F: '$1 == "firmline" { print $3 }' "$r/etc/passwd")
	gid=$(awk -F: '$1 == "firmline" { print $3 }' "$r/etc/group")
	[ -n "$uid" ] || fail "install: no firmline user"
	grep -q '^dialout:x:20:firmline$' "$r/etc/group" || fail "install: firmline not in dialout"
	[ "$(stat -c '%a %u' "$r/var/lib/firmline")" = "750 $uid" ] || fail "install: /var/lib/firmline is not 0750 firmline"
	[ "$(stat -c '%a %u %g' "$r/etc/firmline/firmline.conf")" = "640 0 $gid" ] || fail "install: firmline.conf is not 0640 root:firmline"
	[ -L "$r/etc/systemd/system/multi-user.target.wants/firmline.service" ] || fail "install: firmline.service not enabled"
	[ ! -e "$r/etc/systemd/system/sockets.target.wants/firmline.socket" ] || fail "install: firmline.socket enabled (it is opt-in)"
	echo "installed: user firmline ($uid) in dialout, data dir 0750, config 0640 root:firmline, service enabled"

	echo data >"$r/var/lib/firmline/firmline.db"
	"${dpkg[@]}" -r firmline >>"$work/dpkg.log" 2>&1 || fail "remove"
	[ -f "$r/var/lib/firmline/firmline.db" ] || fail "remove deleted the data"
	[ -f "$r/etc/firmline/firmline.conf" ] || fail "remove deleted the conffile"
	[ ! -e "$r/usr/bin/firmline" ] || fail "remove left /usr/bin/firmline"
	echo "removed: data and configuration kept"

	"${dpkg[@]}" -P firmline >>"$work/dpkg.log" 2>&1 || fail "purge"
	[ ! -e "$r/var/lib/firmline" ] || fail "purge left /var/lib/firmline"
	[ ! -e "$r/etc/firmline" ] || fail "purge left /etc/firmline"
	[ ! -s "$r/var/lib/dpkg/statoverride" ] || fail "purge left a statoverride"
	if find "$r/etc/systemd" "$r/var/lib/systemd" -name '*firmline*' 2>/dev/null | grep -q .; then
		fail "purge left systemd state"
	fi
	echo "purged: data, configuration and systemd state gone (the system user stays, as policy advises)"
}

version="${1:-}"
if [ -z "$version" ] && tag=$(git -C "$repo" describe --tags --exact-match --match 'v[0-9]*' "$commit" 2>/dev/null); then
	version="${tag#v}"
fi
echo "checking commit $commit"

step "go test ./packaging (udev rules)"
go test -count=1 ./packaging || fail "go test ./packaging"

step "reproducible build: two builds, compared"
DIST="$work/a" packaging/build.sh ${version:+"$version"}
if [ "${FIRMLINE_CHECK_QUICK:-}" = 1 ]; then
	DIST="$work/b" packaging/build.sh ${version:+"$version"} >/dev/null
else
	GOCACHE="$work/gocache" DIST="$work/b" packaging/build.sh ${version:+"$version"} >/dev/null
fi
if diff -u "$work/a/SHA256SUMS" "$work/b/SHA256SUMS"; then
	echo "identical: $(wc -l <"$work/a/SHA256SUMS") files"
else
	fail "two builds of the same commit differ"
fi
dist="$work/a"

step "binaries"
FIRMLINE_DIST="$dist" go test -count=1 -run 'TestReleaseBinaries' -v ./packaging | grep -E '^(---|ok|FAIL|\s+---)' ||
	fail "release binaries"
if command -v file >/dev/null; then
	for b in "$dist"/firmline-linux-*; do
		desc=$(file -b "$b")
		echo "$(basename "$b"): $desc"
		case "$desc" in *"statically linked"*) ;; *) fail "$(basename "$b") is not statically linked" ;; esac
	done
fi
amd64deb=$(ls "$dist"/firmline_*_amd64.deb)
debversion=${amd64deb##*/firmline_}
debversion=${debversion%_amd64.deb}
version="${debversion%-1}"
if [ "$(uname -m)" = x86_64 ]; then
	out=$("$dist/firmline-linux-amd64" version 2>&1) || fail "firmline version exits non-zero: $out"
	echo "firmline version: $out"
	case "$out" in *"$version"*"$commit"*) ;; *) fail "firmline version does not print version $version and commit $commit" ;; esac
fi
if go version -m "$dist/firmline-linux-amd64" | grep -q 'CGO_ENABLED=0' &&
	go version -m "$dist/firmline-linux-amd64" | grep -q -- '-trimpath=true'; then
	echo "go version -m: CGO_ENABLED=0, -trimpath=true"
else
	fail "go version -m does not show CGO_ENABLED=0 and -trimpath=true"
fi

modules=$(go version -m "$dist/firmline-linux-amd64" | awk '$1 == "dep" { print $2 }')
uncovered=0
for mod in $modules; do
	grep -qF -- "${mod%/v[0-9]*}/*" packaging/debian/copyright || {
		fail "debian/copyright does not cover the linked module $mod"
		uncovered=1
	}
done
[ "$uncovered" = 1 ] || echo "debian/copyright covers all $(wc -w <<<"$modules") linked modules"

step "Debian packages"
expected_files=(
	./usr/bin/firmline
	./lib/systemd/system/firmline.service
	./lib/systemd/system/firmline.socket
	./etc/firmline/firmline.conf
	./lib/udev/rules.d/60-firmline-modem.rules
	./usr/lib/sysusers.d/firmline.conf
	./usr/lib/tmpfiles.d/firmline.conf
	./usr/lib/modules-load.d/firmline.conf
	./usr/share/doc/firmline/copyright
	./usr/share/doc/firmline/changelog.Debian.gz
	./usr/share/doc/firmline/HARDWARE.md
	./usr/share/man/man1/firmline.1.gz
	./usr/share/metainfo/org.firmline.firmline.metainfo.xml
)
for pair in amd64:amd64 arm64:arm64 armhf:armv7; do
	arch=${pair%%:*} bin=${pair#*:}
	deb="$dist/firmline_${debversion}_$arch.deb"
	echo "-- $(basename "$deb")"
	[ -f "$deb" ] || {
		fail "$deb missing"
		continue
	}
	field() { dpkg-deb -f "$deb" "$1"; }
	[ "$(field Package)" = firmline ] || fail "$arch: Package is $(field Package)"
	[ "$(field Architecture)" = "$arch" ] || fail "$arch: Architecture is $(field Architecture)"
	[ "$(field Version)" = "$debversion" ] || fail "$arch: Version is $(field Version)"
	[ "$(dpkg-deb -I "$deb" conffiles)" = /etc/firmline/firmline.conf ] || fail "$arch: conffiles is not /etc/firmline/firmline.conf"
	for script in postinst prerm postrm; do
		dpkg-deb -I "$deb" "$script" >/dev/null || fail "$arch: no $script"
	done
	listing=$(dpkg-deb -c "$deb")
	for f in "${expected_files[@]}"; do
		line=$(awk -v f="$f" '$6 == f' <<<"$listing")
		[ -n "$line" ] || {
			fail "$arch: $f missing"
			continue
		}
		[ "$(awk '{print $2}' <<<"$line")" = root/root ] || fail "$arch: $f not owned by root/root"
		case "$f" in
		./usr/bin/firmline) want=-rwxr-xr-x ;;
		*) want=-rw-r--r-- ;;
		esac
		[ "$(awk '{print $1}' <<<"$line")" = "$want" ] || fail "$arch: $f mode $(awk '{print $1}' <<<"$line"), want $want"
	done
	if awk '{print $2}' <<<"$listing" | grep -qv '^root/root$'; then
		fail "$arch: entries not owned by root/root"
	fi
	dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/firmline | cmp -s - "$dist/firmline-linux-$bin" ||
		fail "$arch: packaged binary differs from firmline-linux-$bin"
	if lintian_out=$(lintian --fail-on error --tag-display-limit 0 "$deb" 2>&1); then
		echo "lintian: no errors"
	else
		fail "$arch: lintian reports errors"
	fi
	grep -v '^running with root privileges' <<<"$lintian_out" | sed 's/^/  /' || true
done

step "systemd unit (as packaged)"
unitdir="$work/units"
mkdir -p "$unitdir"
dpkg-deb --fsys-tarfile "$dist/firmline_${debversion}_amd64.deb" |
	tar -xOf - ./lib/systemd/system/firmline.service >"$unitdir/firmline.service"
dpkg-deb --fsys-tarfile "$dist/firmline_${debversion}_amd64.deb" |
	tar -xOf - ./lib/systemd/system/firmline.socket >"$unitdir/firmline.socket"
# verify checks that ExecStart= names an executable: point it at the built binary.
sed -i "s#^ExecStart=/usr/bin/firmline #ExecStart=$dist/firmline-linux-amd64 #" "$unitdir/firmline.service"
if verify_out=$(systemd-analyze verify --man=no "$unitdir/firmline.service" "$unitdir/firmline.socket" 2>&1) && [ -z "$verify_out" ]; then
	echo "systemd-analyze verify: clean"
else
	printf '%s\n' "$verify_out"
	fail "systemd-analyze verify"
fi
security=$(systemd-analyze security --offline=true "$unitdir/firmline.service" 2>&1) || true
grep -E '^✗|Overall exposure' <<<"$security" || true
exposure=$(sed -n 's/.*Overall exposure level for firmline.service: \([0-9.]*\).*/\1/p' <<<"$security")
if [ -z "$exposure" ]; then
	printf '%s\n' "$security"
	fail "systemd-analyze security printed no exposure level"
elif awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e > m) }'; then
	fail "exposure $exposure is above $MAX_EXPOSURE"
else
	echo "exposure $exposure (threshold $MAX_EXPOSURE)"
fi

step "install, remove, purge on a scratch root (dpkg --root, scripts run with DPKG_ROOT)"
if [ "$(id -u)" = 0 ]; then
	check_lifecycle "$dist/firmline_${debversion}_amd64.deb"
else
	echo "not root: install cycle skipped"
fi

step "sysusers.d and tmpfiles.d on a scratch root; maintainer scripts"
root="$work/root"
mkdir -p "$root/etc" "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d"
cp packaging/sysusers.conf "$root/usr/lib/sysusers.d/firmline.conf"
cp packaging/tmpfiles.conf "$root/usr/lib/tmpfiles.d/firmline.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\ndialout:x:20:\n' >"$root/etc/group"
if systemd-sysusers --root="$root" firmline.conf; then
	grep -q '^firmline:x:[0-9]*:[0-9]*:firmline SMS inbox:/var/lib/firmline:/usr/sbin/nologin$' "$root/etc/passwd" ||
		fail "sysusers: no firmline system user with home /var/lib/firmline and nologin"
	grep -q '^dialout:x:20:firmline$' "$root/etc/group" || fail "sysusers: firmline not in dialout"
	uid=$(awk -F: '$1 == "firmline" { print $3 }' "$root/etc/passwd")
	if [ -z "$uid" ] || [ "$uid" -ge 1000 ]; then
		fail "sysusers: firmline uid '$uid' is not a system uid"
	fi
	echo "sysusers: $(grep '^firmline:' "$root/etc/passwd"); $(grep '^dialout:' "$root/etc/group")"
else
	fail "systemd-sysusers rejects packaging/sysusers.conf"
fi
if systemd-tmpfiles --root="$root" --create firmline.conf; then
	perm=$(stat -c '%a %u' "$root/var/lib/firmline" 2>/dev/null || true)
	[ "$perm" = "750 ${uid:-?}" ] || fail "tmpfiles: /var/lib/firmline mode and owner '$perm', want '750 ${uid:-?}'"
	echo "tmpfiles: /var/lib/firmline mode and owner uid: $perm"
else
	fail "systemd-tmpfiles rejects packaging/tmpfiles.conf"
fi
for s in postinst prerm postrm; do
	sh -n "packaging/debian/$s" || fail "$s: syntax error"
done
if command -v shellcheck >/dev/null; then
	shellcheck -s sh packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm || fail "shellcheck maintainer scripts"
	shellcheck packaging/build.sh packaging/check.sh || fail "shellcheck build.sh check.sh"
else
	echo "shellcheck not installed: maintainer scripts only parsed with sh -n"
fi

echo
if [ "$failures" -gt 0 ]; then
	echo "check.sh: $failures check(s) failed" >&2
	exit 1
fi
echo "check.sh: all packaging checks passed"
