#!/usr/bin/env bash
# Remake handouts/data/icc/FOGRA39L-coated.icc, the CMYK profile --print-ready
# converts brand colours through and embeds as the PDF's output intent.
#
# Input: Fogra's FOGRA39L characterization data (offset on coated paper,
# ISO 12647-2:2004/Amd 1) as shipped by Debian's icc-profiles-free (zlib
# licence). Tool: ArgyllCMS colprof. Not run by the build or CI: the profile
# is committed, and a rerun gives a profile with a new date in its header.
#   apt-get install argyll icc-profiles-free && tools/make-press-profile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/"
# -kr: ramp black generation; -l 330 -L 95: the total and black ink limits
# usual for FOGRA39 sheetfed offset; -nc: leave the measurement data out.
colprof -qm -bm -kr -l 330 -L 95 -nc \
  -A "Fogra (characterization data)" \
  -M "Offset, coated paper (ISO 12647-2:2004/Amd 1, paper type 1-2)" \
  -D "FOGRA39L coated (handouts, ArgyllCMS)" \
  -C "No copyright. Made with ArgyllCMS colprof from the FOGRA39L characterization data in icc-profiles-free (zlib licence)" \
  "$work/FOGRA39L"
cp "$work/FOGRA39L.icc" handouts/data/icc/FOGRA39L-coated.icc
echo "wrote handouts/data/icc/FOGRA39L-coated.icc"
