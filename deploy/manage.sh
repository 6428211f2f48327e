#!/bin/sh
# manage.py as the services run it: with their environment file, from the app's folder.
#   sudo -u helpdesk /srv/helpdesk/deploy/manage.sh release
#   sudo -u helpdesk /srv/helpdesk/deploy/manage.sh createsuperuser
# HELPDESK_ENV_FILE names another environment file (default /etc/helpdesk/helpdesk.env).
set -eu
env_file="${HELPDESK_ENV_FILE:-/etc/helpdesk/helpdesk.env}"
[ -r "$env_file" ] || { echo "$env_file cannot be read (see deploy/helpdesk.env.example)" >&2; exit 2; }
set -a
. "$env_file"
set +a
cd "$(dirname "$0")/.."
exec .venv/bin/python manage.py "$@"
