#!/usr/bin/env bash
# Builds the root filesystem of the offline service images (Linux only): a jlink'ed Java runtime
# in /opt/java, the shared libraries it loads (resolved with ldd), a non-root user (65532,
# "nonroot") and /tmp. Jib adds it to a `scratch` base as an extra directory, so the images build
# without a registry or a Docker daemon. Rebuilt only when the JDK or the module list changes.
#
# Usage: runtime-root.sh OUTPUT_DIR [JAVA_HOME]
set -euo pipefail

out=$1
java_home=${2:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}

# What the services' classes and libraries use (jdeps --print-module-deps over each service's
# runtime class path) plus what they load only by name: TLS elliptic curves, DNS, charsets, zip
# file systems, the JMX OS metrics and JFR, Kerberos login for Kafka's SASL.
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming
modules+=,java.net.http,java.prefs,java.scripting,java.security.jgss,java.security.sasl,java.sql
modules+=,java.sql.rowset,java.xml,jdk.charsets,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.management.jfr
modules+=,jdk.naming.dns,jdk.net,jdk.security.auth,jdk.security.jgss,jdk.unsupported,jdk.zipfs

# One build at a time (parallel Maven builds share the output).
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9

stamp="$(readlink -f "$java_home") $(md5sum < "$java_home/release" | cut -c1-32) $modules $(md5sum < "$0" | cut -c1-32)"
if [ -f "$out.stamp" ] && [ "$(cat "$out.stamp")" = "$stamp" ]; then
  echo "Image root filesystem $out is up to date"
  exit 0
fi

rm -rf "$out" "$out.stamp"
mkdir -p "$out/etc" "$out/tmp" "$out/home/nonroot"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$out/opt/java"

# Links a distribution makes to files outside the runtime (Debian: cacerts, tzdb) become copies.
find "$out/opt/java" -type l | while read -r link; do
  target=$(readlink -f "$link")
  rm "$link"
  cp "$target" "$link"
done

# A server runs headless: no X11 window system, sound or splash screen.
rm -f "$out"/opt/java/lib/{libawt_xawt,libjsound,libsplashscreen}.so

# Every shared library the runtime loads that is not part of it, at the path the loader expects.
find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' \
  | sort -u \
  | while read -r library; do
      case "$library" in "$out"/*) continue ;; esac
      mkdir -p "$out$(dirname "$library")"
      cp -L "$library" "$out$library"
    done

cat > "$out/etc/passwd" <<'USERS'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
USERS
cat > "$out/etc/group" <<'GROUPS'
root:x:0:
nonroot:x:65532:
GROUPS
echo "127.0.0.1 localhost" > "$out/etc/hosts"
echo "$stamp" > "$out.stamp"
echo "Built image root filesystem $out ($(du -sh "$out" | cut -f1))"
