#!/usr/bin/env bash
# Installs the system tools solgen needs, only when they are missing.
#
#   scripts/system-deps.sh build   fonts for PDFs (fonts-noto-cjk)
#   scripts/system-deps.sh test    + TeX Live (xelatex, latexmk, CJK), poppler-utils, node katex,
#                                    chromium (the live-preview test)
#
# apt-get runs only as root on a machine that has it; elsewhere the script says what is
# missing and exits 0, so `make build` still works for a user without root (the PDF step
# then reports the missing font itself). `--no-install-recommends` keeps CI time down:
# the recommends of texlive pull in ~1 GB of documentation and fonts we do not use.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-build}"

need=()
fc-list :lang=zh-tw family 2>/dev/null | grep -q "Noto Serif CJK TC" || need+=(fonts-noto-cjk)
command -v fc-list >/dev/null || need+=(fontconfig)
if [ "$what" = test ]; then
    command -v xelatex >/dev/null || need+=(texlive-xetex)
    kpsewhich xeCJK.sty >/dev/null 2>&1 || need+=(texlive-lang-chinese)
    command -v latexmk >/dev/null || need+=(latexmk)
    kpsewhich pzdr.tfm >/dev/null 2>&1 || need+=(texlive-fonts-recommended)  # hyperref links
    command -v pdftoppm >/dev/null || need+=(poppler-utils)
    command -v node >/dev/null || need+=(nodejs)
    command -v npm >/dev/null || need+=(npm)
    command -v chromium >/dev/null || need+=(chromium)  # tests/test_serve.py drives a page
fi

if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "system-deps: installing ${need[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
        echo "system-deps: missing ${need[*]}; install them with apt-get (needs root)" >&2
    fi
fi

if [ "$what" = test ] && [ ! -f node_modules/katex/package.json ] && command -v npm >/dev/null; then
    echo "system-deps: installing katex (npm, into node_modules/)" >&2
    npm ci --silent --no-audit --no-fund
fi
