#!/bin/sh
# Throwaway PKI for the TLS link test (openssl CLI, EC P-256, valid 2 days):
#   ca.{crt,key}        the trusted CA
#   server.{crt,key}    CN=motcua-server OU=server, SAN motcua-server/localhost/127.0.0.1
#   client.{crt,key}    /O=motcua/OU=commune/CN=18499 signed by ca
#   district.{crt,key}  /O=motcua/OU=district/CN=444 signed by ca
#   unitsrv.{crt,key}   /O=motcua/OU=district/CN=444, serverAuth+clientAuth
#   other-ca.{crt,key}  an unrelated CA
#   foreign.{crt,key}   /O=motcua/OU=commune/CN=18502 signed by other-ca
# Usage: mkcerts.sh DIR   (idempotent: regenerates everything)
set -eu
D=$1
mkdir -p "$D"
cd "$D"
umask 077

mkca() { # name cn
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1.key" -out "$1.crt" -days 2 -subj "/O=motcua/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

mkcert() { # name ca subject extensions
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
    -days 2 -out "$1.crt" -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

mkca ca "motcua test CA"
mkca other-ca "some other CA"
mkcert server ca "/O=motcua/OU=server/CN=motcua-server" \
  "basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:motcua-server,DNS:localhost,IP:127.0.0.1"
CLIENT_EXT="basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=clientAuth"
mkcert client ca "/O=motcua/OU=commune/CN=18499" "$CLIENT_EXT"
mkcert district ca "/O=motcua/OU=district/CN=444" "$CLIENT_EXT"
# a unit certificate that is technically usable by a TLS server (both EKUs,
# SAN 127.0.0.1): a client must still refuse it because OU is not "server"
mkcert unitsrv ca "/O=motcua/OU=district/CN=444" "basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:motcua-server,DNS:localhost,IP:127.0.0.1"
mkcert foreign other-ca "/O=motcua/OU=commune/CN=18502" "$CLIENT_EXT"
chmod 600 ./*.key
