#!/usr/bin/env bash
# WordPress (Debian's package, 6.1 on bookworm) for the WordPress connector's real-server tests.
# Idempotent: a quick no-op when everything is installed. Run as root.
# MariaDB is not installed here: it already runs on the project's machines
# (127.0.0.1:3306, root without a password); the tests skip, or fail under
# CI=true, when it does not answer. Each test worker creates its own database
# and serves /usr/share/wordpress with `php -S`; no Apache site is configured.
set -euo pipefail

# php-gd: WordPress makes the thumbnails of a featured image with it.
# php-xml: WordPress's REST and feed code use DOM/SimpleXML.
packages=(wordpress php-cli php-mysql php-gd php-xml)
need=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || need+=("$package")
done
[ ${#need[@]} -eq 0 ] && exit 0

apt-get -o DPkg::Lock::Timeout=600 update -q
# --no-install-recommends: the recommended themes and translations are not needed;
# the package still depends on a web server (Apache), which the tests never start.
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
  --no-install-recommends "${need[@]}"
