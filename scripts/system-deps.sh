#!/usr/bin/env bash
# System packages the test suite needs, from Debian's archive. Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v keytool >/dev/null 2>&1 || need+=(default-jre-headless)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
# The practice report: WeasyPrint lays out with Pango; the tests read the PDF with poppler.
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# The export client's Tk window (tests/client/test_window.py) runs on a virtual screen.
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
# npm: axe-core for the accessibility test and Lighthouse for bench/bench_pages.py, installed
# into .tools/node (gitignored) on first use.
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# nginx must not run as a system service here: tests start their own on loopback.
if [ -x /usr/sbin/nginx ]; then
  (pgrep -x nginx >/dev/null && $SUDO nginx -s stop) >/dev/null 2>&1 || true
fi
