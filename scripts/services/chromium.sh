#!/usr/bin/env bash
# Headless Chromium + ChromeDriver (Debian packages) for the Selenium UI tests.
#   chromium.sh [start|check|version]   (start = install if missing, then check)
# 'check' runs one headless Selenium session from .venv against a data: URL,
# with the driver path given explicitly and SE_OFFLINE=true, so Selenium
# Manager never tries to download a browser or driver.
set -euo pipefail
LOG_TAG=chromium
# shellcheck source=_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

CHROME=/usr/bin/chromium
DRIVER=/usr/bin/chromedriver
PY="$REPO_ROOT/.venv/bin/python"

install() {
  [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || apt_install fonts-wqy-zenhei  # Chinese UI
  [ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || apt_install fonts-symbola  # emoji
  [ -x "$CHROME" ] && [ -x "$DRIVER" ] && return 0
  apt_install chromium chromium-driver fonts-liberation
  [ -x "$CHROME" ] && [ -x "$DRIVER" ] || die "$CHROME or $DRIVER still missing after install"
}

version() { "$CHROME" --version 2>/dev/null | awk '{print "chromium " $2}'; }

check() {
  [ -x "$PY" ] || die "$PY missing: run scripts/bootstrap.sh first"
  local profile
  profile="$(mktemp -d "${TMPDIR:-/tmp}/veracity-chromium.XXXXXX")"
  log "headless Selenium check ($(version), $("$DRIVER" --version | awk '{print $1, $2}'))"
  if ! SE_OFFLINE=true CHROME_BIN="$CHROME" PROFILE="$profile" "$PY" - <<'PY' 2>"$CACHE_DIR/chromium-check.err"; then
import os
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

opts = Options()
opts.binary_location = os.environ["CHROME_BIN"]
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={os.environ['PROFILE']}"):
    opts.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
try:
    driver.get("data:text/html,<title>veracity-ok</title><p>hi</p>")
    assert driver.title == "veracity-ok", driver.title
finally:
    driver.quit()
PY
    rm -rf "$profile"
    die "headless Selenium check failed: $(tail -15 "$CACHE_DIR/chromium-check.err")"
  fi
  rm -rf "$profile"
  log "ok (title read from a data: URL)"
}

case "${1:-start}" in
  start) install; check ;;
  install) install ;;
  check) check ;;
  version) version ;;
  stop | status) : ;;
  *) die "usage: $0 start|install|check|version" ;;
esac
