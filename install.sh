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
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v node >/dev/null 2>&1; then
  echo "install.sh: Node.js 20 or newer is required and was not found. Install it from your distribution or nodejs.org, then run ./install.sh again." >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "install.sh: Node.js 20 or newer is required; this is $(node --version)." >&2
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

HOST=${OCOMMS_HOST:-127.0.0.1}
PORT=${OCOMMS_PORT:-7080}
DATA=${OCOMMS_DATA_DIR:-$REPO/data}
# From here on, everything written (the data dir, the log, the pid file) is the owner's alone:
# the data dir holds the database and every uploaded file, the log names accounts. (Not before:
# the PostgreSQL binaries under node_modules must stay readable by the `postgres` user that runs
# them when this runs as root.) Folders made by an older install are tightened too; as root with
# the embedded PostgreSQL, the server opens the data dir to the `postgres` group for passing
# through (0710), nothing more.
umask 077
mkdir -p "$DATA"
chmod go-rwx "$DATA"
URL="http://$HOST:$PORT"
[ "$HOST" = "0.0.0.0" ] && URL="http://localhost:$PORT"

healthy() { node -e "fetch('$URL/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; }

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
Environment=OCOMMS_HOST=$HOST
Environment=OCOMMS_PORT=$PORT
Environment=OCOMMS_DATA_DIR=$DATA
${DATABASE_URL:+Environment=DATABASE_URL=$DATABASE_URL}
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
  if healthy; then
    echo "A server is already answering at $URL; leaving it running."
  else
    echo "Starting the server (data in $DATA, log in $DATA/server.log)..."
    touch "$DATA/server.log" "$DATA/server.pid"
    chmod 600 "$DATA/server.log" "$DATA/server.pid"
    OCOMMS_HOST=$HOST OCOMMS_PORT=$PORT OCOMMS_DATA_DIR=$DATA nohup node server/dist/main.js >>"$DATA/server.log" 2>&1 &
    echo $! > "$DATA/server.pid"
    for _ in $(seq 1 120); do healthy && break; sleep 0.5; done
    healthy || { echo "install.sh: the server did not come up; see $DATA/server.log" >&2; exit 1; }
  fi
fi

cat <<DONE

OComms is installed.
  Server:   $URL   (API reference: $URL/api/docs)
  Stop it:  kill \$(cat $DATA/server.pid)

Create the first account and workspace:
  printf %s 'choose a long password' | ocomms signup --server $URL --email you@example.com \\
      --name "Your Name" --handle you --password-stdin --create-workspace "My Team"
  ocomms --help
${path_hint}
DONE
