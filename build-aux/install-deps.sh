#!/bin/sh
# Installs, from Debian 12's own packages, everything GProcess needs to build, test and document
# itself. Idempotent: it installs only what is missing. Run as root.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

packages="
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libglib2.0-bin
  gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0
  python3 python3-gi
  gjs valac
  gtk-doc-tools libglib2.0-doc docbook-xml docbook-xsl xsltproc graphviz gnuplot-nox
  gettext locales
  valgrind
  mypy
  python3-pebble python3-billiard python3-joblib
  libgtk-4-dev gir1.2-gtk-4.0 xvfb
"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done

if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The translation tests need a real UTF-8 locale for each language they check.
if command -v locale-gen >/dev/null 2>&1; then
  need_gen=0
  for l in de_DE fr_FR es_ES zh_CN; do
    locale -a 2>/dev/null | grep -qi "^$l\.utf-\?8$" || need_gen=1
  done
  if [ "$need_gen" = 1 ]; then
    for l in de_DE fr_FR es_ES zh_CN; do
      grep -q "^$l.UTF-8 UTF-8" /etc/locale.gen 2>/dev/null || echo "$l.UTF-8 UTF-8" >> /etc/locale.gen
    done
    locale-gen >/dev/null
  fi
fi
