#!/bin/sh
# The front end's built files, copied where Flask serves them (web/static/vendor/), from node_modules (after
# `npm ci`). One script for the Makefile and the Dockerfile's Node stage, so both make the same tree.
#   vendor.sh assets DIR     GOV.UK Frontend and the bpmn-js viewer
#   vendor.sh designer DIR   the process designer's editor, bundled by esbuild (web/frontend/build.mjs), with the
#                            CSS of the properties panel and dmn-js beside it (DIR/designer)
set -eu
step=${1:?usage: vendor.sh assets|designer DIR}
out=${2:?usage: vendor.sh assets|designer DIR}
modules=node_modules

case "$step" in
  assets)
    rm -rf "$out/govuk" "$out/bpmn-js"
    mkdir -p "$out/govuk" "$out/bpmn-js"
    cp "$modules/govuk-frontend/dist/govuk/govuk-frontend.min.css" \
       "$modules/govuk-frontend/dist/govuk/govuk-frontend.min.js" "$out/govuk/"
    cp -R "$modules/govuk-frontend/dist/govuk/assets" "$out/govuk/assets"
    cp "$modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js" "$out/bpmn-js/"
    cp -R "$modules/bpmn-js/dist/assets/." "$out/bpmn-js/"
    ;;
  designer)
    rm -rf "$out/designer"
    mkdir -p "$out/designer/dmn-font"
    node web/frontend/build.mjs "$out/designer"
    cp "$modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css" "$out/designer/"
    cp "$modules"/dmn-js/dist/assets/dmn-js-*.css "$out/designer/"
    cp -R "$modules/dmn-js/dist/assets/dmn-font/." "$out/designer/dmn-font/"
    ;;
  *)
    echo "vendor.sh: unknown step $step (assets or designer)" >&2
    exit 2
    ;;
esac
