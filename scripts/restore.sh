#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh. README.md, "Backup and restore".
#   BACKUP        the dated folder to restore; required
#   DATABASE_URL  the database to restore into (it must exist; what it holds of the
#                 platform's tables is replaced: pg_restore --clean); required
#   PRIVATE_ROOT  where the private files go (default: MEDIA_ROOT, or var/media)
# Checks the checksums first; stop the web and worker processes while it runs.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${BACKUP:?set BACKUP to a folder made by make backup}"
: "${DATABASE_URL:?set DATABASE_URL to the database to restore into}"
url=${DATABASE_URL/#pgsql:/postgresql:}
private_root=${PRIVATE_ROOT:-${MEDIA_ROOT:-var/media}}

(cd "$BACKUP" && sha256sum --check --quiet SHA256SUMS)
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
  --dbname="$url" "$BACKUP/database.dump"
umask 077
mkdir -p "$private_root"
tar -xzf "$BACKUP/private.tar.gz" -C "$private_root"
echo "restored $BACKUP"
