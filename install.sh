#!/usr/bin/env bash
# Installs OComms from this checkout, builds it, and starts the server on an embedded
# PostgreSQL. Safe to run again: it rebuilds and leaves a running server alone.
#
#   ./install.sh              install, build, start in the background
#   ./install.sh --no-start   install and build only
#   ./install.sh --systemd    also install and start a systemd unit (needs root)
#   ./install.sh --no-link    do not put the `ocomms` command on the PATH
#
# Settings: OCOMMS_HOST (default 127.0.0.1), OCOMMS_PORT (default 7080),
# OCOMMS_DATA_DIR (default ./data), DATABASE_URL (use an external PostgreSQL >= 15).
# They are recorded in ./server.env, which `npm start` and `ocomms server ...` read.
set -euo pipefail
cd "$(dirname "$0")"
REPO=$(pwd)

start=1
systemd=0
link=1
for arg in "$@"; do
  case "$arg" in
    --no-start) start=0 ;;
    --systemd) systemd=1 ;;
    --no-link) link=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v node >/dev/null 2>&1; then
  echo "install.sh: Node.js 20.19 or newer is required and was not found. Install it from your distribution or nodejs.org, then run ./install.sh again." >&2
  exit 1
fi
# The oldest Node.js every dependency supports (package.json "engines"; a test keeps them in step).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "install.sh: Node.js 20.19 or newer is required; this is $(node --version)." >&2
  exit 1
fi
command -v npm >/dev/null 2>&1 || { echo "install.sh: npm was not found next to Node.js." >&2; exit 1; }

echo "Installing dependencies..."
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
echo "Building..."
npm run build

# The `ocomms` command: a symlink to cli/bin/ocomms.js in a folder on the PATH.
path_hint=""
if [ "$link" = 1 ]; then
  if [ "$(id -u)" = 0 ]; then BIN_DIR=/usr/local/bin; else BIN_DIR="$HOME/.local/bin"; fi
  mkdir -p "$BIN_DIR"
  ln -sf "$REPO/cli/bin/ocomms.js" "$BIN_DIR/ocomms"
  echo "Linked $BIN_DIR/ocomms -> $REPO/cli/bin/ocomms.js"
  case ":$PATH:" in
    *":$BIN_DIR:"*) ;;
    *) path_hint="  $BIN_DIR is not on your PATH; add it:  export PATH=\"$BIN_DIR:\$PATH\"  (e.g. in ~/.profile)" ;;
  esac
fi

# The server's settings: from the environment, else from the last install (server.env), else the
# defaults. They are written to server.env, where `npm start` and `ocomms server start|stop|restart|
# status` read them: the installed server comes back on the same data directory and port every time.
SETTINGS="$REPO/server.env"
# (Always succeeds: under set -e, a setting that was never recorded must not end the install.)
recorded() { if [ -f "$SETTINGS" ]; then sed -n "s/^$1=//p" "$SETTINGS" | tail -n 1; fi; }
HOST=${OCOMMS_HOST:-$(recorded OCOMMS_HOST)}; HOST=${HOST:-127.0.0.1}
PORT=${OCOMMS_PORT:-$(recorded OCOMMS_PORT)}; PORT=${PORT:-7080}
DATA=${OCOMMS_DATA_DIR:-$(recorded OCOMMS_DATA_DIR)}; DATA=${DATA:-$REPO/data}
DATABASE_URL=${DATABASE_URL:-$(recorded DATABASE_URL)}
# From here on, everything written (the data dir, the log, the pid file) is the owner's alone:
# the data dir holds the database and every uploaded file, the log names accounts. (Not before:
# the PostgreSQL binaries under node_modules must stay readable by the `postgres` user that runs
# them when this runs as root.) Folders made by an older install are tightened too; as root with
# the embedded PostgreSQL, the server opens the data dir to the `postgres` group for passing
# through (0710), nothing more.
umask 077
mkdir -p "$DATA"
chmod go-rwx "$DATA"
DATA=$(cd "$DATA" && pwd)
{
  echo "# Written by install.sh: the installed server's settings, read by npm start and ocomms server start|stop|restart|status."
  echo "OCOMMS_HOST=$HOST"
  echo "OCOMMS_PORT=$PORT"
  echo "OCOMMS_DATA_DIR=$DATA"
  if [ -n "$DATABASE_URL" ]; then echo "DATABASE_URL=$DATABASE_URL"; fi
} > "$SETTINGS"
chmod 600 "$SETTINGS"
URL="http://$HOST:$PORT"
[ "$HOST" = "0.0.0.0" ] && URL="http://localhost:$PORT"

if [ "$systemd" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then echo "install.sh: --systemd needs root (sudo ./install.sh --systemd)." >&2; exit 1; fi
  if ! command -v systemctl >/dev/null 2>&1 || [ ! -d /run/systemd/system ]; then
    echo "install.sh: systemd is not running on this machine; start the server with ./install.sh instead." >&2; exit 1
  fi
  cat > /etc/systemd/system/ocomms.service <<UNIT
[Unit]
Description=OComms chat server
After=network.target

[Service]
Type=simple
WorkingDirectory=$REPO
EnvironmentFile=$SETTINGS
ExecStart=$(command -v node) $REPO/server/dist/main.js
Restart=on-failure
KillSignal=SIGTERM
TimeoutStopSec=30
UMask=0077

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable --now ocomms.service
  echo "Installed and started the systemd unit ocomms.service."
  start=0
fi

if [ "$start" = 1 ]; then
  # The same command people use afterwards; it reads server.env, so it needs no options.
  node "$REPO/cli/bin/ocomms.js" server start --background || { echo "install.sh: the server did not come up; see $DATA/server.log" >&2; exit 1; }
fi

cat <<DONE

OComms is installed.
  Server:   $URL   (API reference: $URL/api/docs)
  Data:     $DATA   (settings in $SETTINGS)
  Manage:   ocomms server status | stop | restart | start --background

Create the first account and workspace:
  printf %s 'choose a long password' | ocomms signup --server $URL --email you@example.com \\
      --name "Your Name" --handle you --password-stdin --create-workspace "My Team"
  ocomms --help
${path_hint}
DONE
