#!/usr/bin/env bash
# Makes sure the real tools the tests run are on PATH: promtool and prometheus (Debian package
# `prometheus`), amtool and the Alertmanager server (Debian package `prometheus-alertmanager`,
# whose server binary is `prometheus-alertmanager`), and kubectl for `kubectl kustomize`
# (Debian package `kubernetes-client`), and Chromium for the browser tests of `slokit serve`
# (Debian package `chromium`, driven by playwright-core). Installs them with apt-get when missing and
# we are allowed to (root, or passwordless sudo); otherwise says exactly what to install and fails.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 && command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
  else
    echo "Missing Debian package(s): ${missing[*]}. Install them as root (apt-get install ${missing[*]}), then run make test again." >&2
    exit 1
  fi
fi

echo "Installing Debian package(s) ${missing[*]} with apt-get ..." >&2
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq >/dev/null
$as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for tool in promtool prometheus amtool prometheus-alertmanager kubectl chromium; do
  command -v "$tool" >/dev/null 2>&1 || { echo "apt-get ran but $tool is still not on PATH; install ${missing[*]} by hand." >&2; exit 1; }
done
