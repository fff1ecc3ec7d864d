#!/bin/bash
# packaging/build.sh [VERSION]: release build of firmline.
#
# Writes into $DIST (default: dist/ at the repo root):
#   firmline-linux-amd64, firmline-linux-arm64, firmline-linux-armv7   static binaries
#   firmline_<VERSION>-1_amd64.deb, ..._arm64.deb, ..._armhf.deb       Debian packages
#   SHA256SUMS
#
# Reproducible: two builds of the same commit with the same Go toolchain are byte-identical.
# Timestamps come from SOURCE_DATE_EPOCH (default: the commit time of HEAD); paths, build
# ids and VCS stamps are kept out of the binaries; the .deb members are sorted, owned by
# root and compressed single-threaded.
#
# VERSION defaults to the newest v* tag (without the v) when HEAD is tagged, otherwise to
# 0.0.0+git<commit date>.<commit>. It must be a Debian upstream version (start with a digit).
# Needs: go, git (unless FIRMLINE_COMMIT and SOURCE_DATE_EPOCH are set), dpkg-deb, gzip.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
pkg="$repo/packaging"
cd "$repo"

# A source tree without .git (an export, as check.sh builds) names its commit in
# FIRMLINE_COMMIT and its time in SOURCE_DATE_EPOCH.
commit="${FIRMLINE_COMMIT:-$(git rev-parse --short=12 HEAD)}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}"

version="${1:-}"
if [ -z "$version" ]; then
	if [ -z "${FIRMLINE_COMMIT:-}" ] && tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null); then
		version="${tag#v}"
	else
		version="0.0.0+git$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d).$commit"
	fi
fi
version="${version#v}"
if ! [[ "$version" =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
	echo "build.sh: version \"$version\" is not usable: it must start with a digit and contain only letters, digits, '.', '+' and '~'." >&2
	exit 2
fi
debversion="$version-1"

DIST="${DIST:-$repo/dist}"
mkdir -p "$DIST"
DIST=$(cd "$DIST" && pwd)

umask 022
export LC_ALL=C TZ=UTC

# The Go build: static, stripped, no paths, no build id, no VCS stamp, pinned GOAMD64/GOARM64
# levels so the host's environment cannot change the output.
build_binary() { # goarch goarm out
	local goarch=$1 goarm=$2 out=$3
	env -u GOFLAGS CGO_ENABLED=0 GOOS=linux GOARCH="$goarch" GOARM="$goarm" \
		GOAMD64=v1 GOARM64=v8.0 GOTOOLCHAIN=local \
		go build -trimpath -buildvcs=false \
		-ldflags "-s -w -buildid= -X main.version=$version -X main.commit=$commit" \
		-o "$out" .
}

# installed_size prints Installed-Size the way dpkg-gencontrol computes it: KiB per regular
# file, rounded up, and 1 for every other entry; independent of the file system.
installed_size() { # root
	find "$1" -mindepth 1 -path "$1/DEBIAN" -prune -o -printf '%y %s\n' |
		awk '$1 == "f" { total += int(($2 + 1023) / 1024) } $1 != "f" { total += 1 } END { print total }'
}

build_deb() { # debarch binary
	local arch=$1 binary=$2
	local stage="$DIST/.stage-$arch"
	rm -rf "$stage"
	mkdir -p "$stage/DEBIAN"

	install -D -m 0755 "$binary" "$stage/usr/bin/firmline"
	install -D -m 0644 "$pkg/firmline.service" "$stage/lib/systemd/system/firmline.service"
	install -D -m 0644 "$pkg/firmline.socket" "$stage/lib/systemd/system/firmline.socket"
	install -D -m 0644 "$pkg/firmline.conf" "$stage/etc/firmline/firmline.conf"
	install -D -m 0644 "$pkg/60-firmline-modem.rules" "$stage/lib/udev/rules.d/60-firmline-modem.rules"
	install -D -m 0644 "$pkg/sysusers.conf" "$stage/usr/lib/sysusers.d/firmline.conf"
	install -D -m 0644 "$pkg/tmpfiles.conf" "$stage/usr/lib/tmpfiles.d/firmline.conf"
	install -D -m 0644 "$pkg/modules-load.conf" "$stage/usr/lib/modules-load.d/firmline.conf"
	install -D -m 0644 "$pkg/firmline.metainfo.xml" "$stage/usr/share/metainfo/org.firmline.firmline.metainfo.xml"
	install -D -m 0644 "$pkg/debian/copyright" "$stage/usr/share/doc/firmline/copyright"
	install -D -m 0644 "$pkg/HARDWARE.md" "$stage/usr/share/doc/firmline/HARDWARE.md"
	install -D -m 0644 "$pkg/debian/lintian-overrides" "$stage/usr/share/lintian/overrides/firmline"
	mkdir -p "$stage/usr/share/man/man1"
	gzip -9n <"$pkg/firmline.1" >"$stage/usr/share/man/man1/firmline.1.gz"
	{
		printf 'firmline (%s) unstable; urgency=medium\n\n' "$debversion"
		printf '  * Release %s, built from commit %s.\n\n' "$version" "$commit"
		printf ' -- %s  %s\n' "$(sed -n 's/^Maintainer: //p' "$pkg/debian/control.in")" \
			"$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
	} | gzip -9n >"$stage/usr/share/doc/firmline/changelog.Debian.gz"
	chmod 0644 "$stage/usr/share/man/man1/firmline.1.gz" "$stage/usr/share/doc/firmline/changelog.Debian.gz"

	install -m 0755 "$pkg/debian/postinst" "$pkg/debian/prerm" "$pkg/debian/postrm" "$stage/DEBIAN/"
	install -m 0644 "$pkg/debian/conffiles" "$stage/DEBIAN/conffiles"
	(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
	chmod 0644 "$stage/DEBIAN/md5sums"
	sed -e "s/@VERSION@/$debversion/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$(installed_size "$stage")/" \
		"$pkg/debian/control.in" >"$stage/DEBIAN/control"
	chmod 0644 "$stage/DEBIAN/control"

	find "$stage" -type d -exec chmod 0755 {} +
	find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	dpkg-deb --root-owner-group -Zxz --threads-max=1 --build "$stage" \
		"$DIST/firmline_${debversion}_$arch.deb" >/dev/null
	rm -rf "$stage"
}

for target in amd64:amd64::amd64 arm64:arm64::arm64 armv7:arm:7:armhf; do
	IFS=: read -r name goarch goarm debarch <<<"$target"
	out="$DIST/firmline-linux-$name"
	build_binary "$goarch" "$goarm" "$out"
	touch -d "@$SOURCE_DATE_EPOCH" "$out"
	build_deb "$debarch" "$out"
done

(cd "$DIST" && sha256sum firmline-linux-* firmline_"$debversion"_*.deb >SHA256SUMS)
echo "build.sh: firmline $version ($commit) in $DIST:"
sed 's/^/  /' "$DIST/SHA256SUMS"
