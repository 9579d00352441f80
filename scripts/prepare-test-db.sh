#!/usr/bin/env bash
# Prepares the local PostgreSQL for the test suite: a role that must log in with a password, so that the
# wrong-password case can be tested although the local server trusts loopback connections. Idempotent.
set -euo pipefail
PSQL=(psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -tA)
"${PSQL[@]}" -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'health_pw') THEN
    CREATE ROLE health_pw LOGIN PASSWORD 'health-test-password';
  END IF;
END \$\$;" >/dev/null
hba=$("${PSQL[@]}" -c 'SHOW hba_file')
line='host all health_pw 127.0.0.1/32 scram-sha-256'
if ! grep -qxF "$line" "$hba"; then
  # first matching line wins, so the rule goes before the trust lines
  { echo "$line"; cat "$hba"; } > "$hba.new" && cat "$hba.new" > "$hba" && rm -f "$hba.new"
  "${PSQL[@]}" -c 'SELECT pg_reload_conf()' >/dev/null
fi
echo "test database prepared (role health_pw requires a password on 127.0.0.1)"
