#!/usr/bin/env bash
# Starts Azurite's Blob service over HTTPS with OAuth ("basic": JWT claims are
# checked, signatures are not) for the real-consumer tests.
#
#   tests/azurite/start.sh DIR
#
# Writes into DIR: ca.pem (trust this), cert.pem/key.pem (the server's),
# port (the Blob port), azurite.pid and azurite.log. Prints the port. The
# caller stops it with: kill "$(cat DIR/azurite.pid)".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:?usage: start.sh DIR}"
mkdir -p "$dir"

if [ ! -x "$here/node_modules/.bin/azurite-blob" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
fi

# A throwaway CA and a loopback certificate it signs.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=vd-broker test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$dir/key.pem" -out "$dir/cert.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/cert.ext"
openssl x509 -req -in "$dir/cert.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
  -days 2 -extfile "$dir/cert.ext" -out "$dir/cert.pem" 2>/dev/null

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$here/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" \
  --oauth basic --cert "$dir/cert.pem" --key "$dir/key.pem" \
  --disableTelemetry --skipApiVersionCheck --loose --inMemoryPersistence --silent \
  > "$dir/azurite.log" 2>&1 &
echo $! > "$dir/azurite.pid"

for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "$port" > "$dir/port"
    echo "$port"
    exit 0
  fi
  if ! kill -0 "$(cat "$dir/azurite.pid")" 2>/dev/null; then
    echo "azurite exited; its log:" >&2; cat "$dir/azurite.log" >&2; exit 1
  fi
  sleep 0.1
done
echo "azurite did not start listening on $port within 10 s" >&2
kill "$(cat "$dir/azurite.pid")" 2>/dev/null || true
exit 1
