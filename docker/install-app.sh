#!/bin/sh
# The app's install steps: a virtual environment at VENV holding LIF (not editable) and its pinned dependencies,
# built from this source tree with the front end already in web/static/vendor/, the shipped workflows beside it
# (VENV/share/lif/workflows) and the container's two helper commands. The Dockerfile's build stage runs this, and
# CI replays it (.ci/replay-image) as a user who is not root in a fresh folder, so the two cannot drift apart.
#   install-app.sh VENV [EXTRAS]     EXTRAS: setup.cfg's extras to add (default: notify, GOV.UK Notify's client)
set -eu
venv=${1:?usage: install-app.sh VENV [EXTRAS]}
extras=${2-notify}
python=${PYTHON:-python3}

"$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || { echo "install-app.sh: $python does not run as Python 3.11, the image's" >&2; exit 1; }
[ -f web/static/vendor/govuk/govuk-frontend.min.css ] \
  || { echo "install-app.sh: web/static/vendor/ is not built (web/frontend/vendor.sh)" >&2; exit 1; }

"$python" -m venv "$venv"
"$venv/bin/pip" install --no-cache-dir --disable-pip-version-check --no-compile --quiet ".${extras:+[$extras]}"
mkdir -p "$venv/share/lif"
rm -rf "$venv/share/lif/workflows"
cp -R workflows "$venv/share/lif/workflows"
for helper in healthcheck first-start; do
  source_file=$(ls docker/"$helper".*)
  case "$source_file" in
    *.py) { echo "#!$venv/bin/python"; tail -n +2 "$source_file"; } > "$venv/bin/lif-$helper" ;;
    *) cp "$source_file" "$venv/bin/lif-$helper" ;;
  esac
  chmod 0755 "$venv/bin/lif-$helper"
done
"$venv/bin/lif" --help >/dev/null
