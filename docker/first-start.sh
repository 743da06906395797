#!/bin/sh
# lif-first-start: compose's one-shot init service. Creates or upgrades the database and deploys the shipped
# workflows (`lif init`); then, only outside production and only into an empty database, loads the demo
# partnership (whose users share one published password, so never in production).
set -eu
lif init
if [ "$(printf %s "${LIF_ENV:-development}" | tr '[:upper:]' '[:lower:]' | tr -d ' ')" = production ]; then
  echo "LIF_ENV=production: no demo data"
elif python -c 'import sys; from web.cli import database_is_empty; sys.exit(0 if database_is_empty() else 1)'; then
  lif demo
else
  echo "the database holds data already: no demo data"
fi
