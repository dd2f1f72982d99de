#!/usr/bin/env bash
# Writes tshark's view of every capture in pcaps/ to pcaps/oracle/ (run after generate.sh).
#
#   <file>.conv.txt  tshark -q -z conv,tcp          (connections: endpoints, frames, bytes)
#   <file>.tsv       one row per frame with TLS records: frame, tcp.stream, sender, record
#                    content types, handshake types, certificates lengths, alert level/description
#                    (an encrypted alert shows content type 21 with empty alert columns)
#
# The scenarios use ports 20000-20999, which tshark does not know as TLS: decode-as tells it.
# A capture with a key log beside it (<name>.keys) is read with it (-o tls.keylog_file:), so the
# .tsv shows what tshark decrypted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/oracle"
version=$(tshark --version | head -1)
for capture in "$here"/*.pcap "$here"/*.pcapng; do
  name=$(basename "$capture")
  keys=${capture%.*}.keys
  keylog=()
  [ -f "$keys" ] && keylog=(-o "tls.keylog_file:$keys")
  # tshark exits with an error on a file cut short, after printing what it read: that is kept.
  tshark -n -r "$capture" -q -z conv,tcp >"$here/oracle/$name.conv.txt" 2>/dev/null || true
  {
    printf '# frame\ttcp.stream\tsender\tcontent_types\topaque_types\thandshake_types\tcertificates_lengths\talert_levels\talert_descriptions\n'
    printf '# %s: tshark -n -r %s -d tcp.port==20000-20999,tls %s-Y tls -T fields ...\n' "$version" "$name" \
      "${keylog[*]:+-o tls.keylog_file:$(basename "$keys") }"
    (tshark -n -r "$capture" "${keylog[@]}" -d 'tcp.port==20000-20999,tls' -Y tls -T fields -E separator=/t \
      -e frame.number -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e tls.record.content_type -e tls.record.opaque_type \
      -e tls.handshake.type -e tls.handshake.certificates_length -e tls.alert_message.level \
      -e tls.alert_message.desc 2>/dev/null || true) |
      awk -F'\t' 'BEGIN{OFS="\t"} {ip = ($3 != "") ? $3 : "[" $4 "]"; print $1, $2, ip ":" $5, $6, $7, $8, $9, $10, $11}'
  } >"$here/oracle/$name.tsv"
done
echo "oracle: $(ls "$here"/oracle/*.tsv | wc -l) captures"
