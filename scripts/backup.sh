#!/usr/bin/env bash
# A backup: the database (pg_dump, custom format) and the private files (export files,
# personal-data archives) in one dated folder, with checksums. README.md, "Backup and restore".
#   DATABASE_URL  the database to dump (postgres://...); required
#   PRIVATE_ROOT  the private files' folder (default: MEDIA_ROOT, or var/media)
#   BACKUP_DIR    where the dated folders go (default: var/backups)
# Prints the new folder's path. With PRIVATE_STORAGE=s3 the files are in the bucket, not
# here: back the bucket up with the store's own versioning or replication.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
url=${DATABASE_URL/#pgsql:/postgresql:}
private_root=${PRIVATE_ROOT:-${MEDIA_ROOT:-var/media}}
backup_dir=${BACKUP_DIR:-var/backups}
folder="$backup_dir/$(date -u +%Y%m%dT%H%M%SZ)"
if [ -e "$folder" ]; then folder="$folder-$$"; fi

umask 077
mkdir -p "$folder"
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$folder/database.dump"
if [ -d "$private_root" ]; then
  tar -czf "$folder/private.tar.gz" -C "$private_root" .
else
  tar -czf "$folder/private.tar.gz" --files-from=/dev/null
fi
(cd "$folder" && sha256sum database.dump private.tar.gz > SHA256SUMS)
echo "$folder"
