#!/usr/bin/env bash
# Install the Debian packages the test suite uses (DESIGN §8). Idempotent and quiet: when every
# package is already installed it does nothing, not even `apt-get update`. Needs root to install.
set -euo pipefail

# Packages the tests need now. Later issues append theirs (offlineimap3, mutt, getmail6, rspamd,
# clamav-daemon, chromium, ...).
PACKAGES=(
  isync          # mbsync: IMAP client sync tests
  fetchmail      # POP3 client tests
  getmail6       # POP3 client tests
  mutt           # IMAP client tests (batch mode)
  offlineimap3   # IMAP client sync tests (offlineimap)
  dovecot-imapd  # reference server for the IMAP differential test
  swaks          # SMTP client tests
  libnet-ssleay-perl  # swaks --tls (a recommended package of swaks; we install without recommends)
  chromium       # headless browser for the web page tests (Playwright drives /usr/bin/chromium)
  fonts-wqy-zenhei  # a CJK font, so page screenshots show Chinese text instead of boxes
  postfix        # smtp-source for the SMTP crash test and benchmark (the daemon is never started)
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "install-test-deps: missing Debian packages (run as root to install): ${missing[*]}" >&2
  exit 1
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix must install without configuring a mail system (we only use its smtp-source tool).
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
