#!/usr/bin/env bash
# Makes sure promtool (Debian package `prometheus`) is on PATH.
# Installs it with apt-get when missing and we are allowed to (root, or passwordless sudo);
# otherwise says exactly what to install and fails.
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
  exit 0
fi

as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
  else
    echo "promtool is missing. Install Debian's 'prometheus' package (apt-get install prometheus) as root, then run make test again." >&2
    exit 1
  fi
fi

echo "promtool is missing: installing Debian's 'prometheus' package with apt-get ..." >&2
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq >/dev/null
$as_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v promtool >/dev/null 2>&1 || {
  echo "apt-get ran but promtool is still not on PATH; install Debian's 'prometheus' package by hand." >&2
  exit 1
}
