#!/usr/bin/env bash
# MediaWiki (Debian's package, 1.39 on bookworm) for the wiki connector's real-server tests.
# Idempotent: a quick no-op when everything is installed. Run as root.
# Each test worker installs its own wiki into a temporary folder (SQLite) and
# serves it with `php -S`; no Apache and no system-wide wiki are configured here.
set -euo pipefail

packages=(mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml)
need=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || need+=("$package")
done
[ ${#need[@]} -eq 0 ] && exit 0

apt-get -o DPkg::Lock::Timeout=600 update -q
# --no-install-recommends: the package recommends Apache and MariaDB, which the
# tests do not use (they would also try to start services on a clean machine).
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
  --no-install-recommends "${need[@]}"
