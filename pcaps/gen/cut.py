"""Where to cut a capture file short, for generate.sh's truncated captures.

python3 cut.py FILE FRAME PLACE N

prints a byte count C such that `head -c C FILE` ends N bytes into one part of frame FRAME (1-based,
as Wireshark numbers frames):
  packet-header  N bytes into the frame's per-packet header (pcap record header or pcapng block)
  record-header  N bytes into the first TLS record header of the frame's TCP payload
  record-body    N bytes into that record's body (after its 5-byte header)
FILE is a little-endian pcap (Ethernet, as tcpdump writes on lo) or pcapng (dumpcap).
"""
import struct
import sys


def frames_pcap(data):
    linktype = struct.unpack_from("<I", data, 20)[0]
    offset, n = 24, 0
    while offset + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, offset + 8)[0]
        n += 1
        yield n, offset, offset + 16, caplen, linktype
        offset += 16 + caplen


def frames_pcapng(data):
    offset, n, linktypes = 0, 0, []
    while offset + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, offset)
        if btype == 0x0A0D0D0A:
            linktypes = []
        elif btype == 1:  # Interface Description Block
            linktypes.append(struct.unpack_from("<H", data, offset + 8)[0])
        elif btype == 6:  # Enhanced Packet Block
            iface, _, _, caplen = struct.unpack_from("<IIII", data, offset + 8)
            n += 1
            yield n, offset, offset + 28, caplen, linktypes[iface]
        offset += blen


def tcp_payload(data, start, linktype):
    """Offset of the TCP payload of a packet starting at `start`."""
    if linktype == 1:  # Ethernet
        ethertype = struct.unpack_from(">H", data, start + 12)[0]
        ip = start + 14
    elif linktype == 276:  # Linux cooked v2
        ethertype = struct.unpack_from(">H", data, start)[0]
        ip = start + 20
    else:
        sys.exit(f"cut.py: link type {linktype} not handled")
    if ethertype == 0x0800:
        tcp = ip + (data[ip] & 0x0F) * 4
    elif ethertype == 0x86DD:
        tcp = ip + 40
    else:
        sys.exit(f"cut.py: ethertype {ethertype:#x} not handled")
    return tcp + (data[tcp + 12] >> 4) * 4


def main():
    path, frame, place, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    data = open(path, "rb").read()
    frames = frames_pcapng(data) if data[:4] == b"\x0a\x0d\x0d\x0a" else frames_pcap(data)
    for number, block, packet, _caplen, linktype in frames:
        if number != frame:
            continue
        if place == "packet-header":
            print(block + n)
        elif place == "record-header":
            print(tcp_payload(data, packet, linktype) + n)
        elif place == "record-body":
            print(tcp_payload(data, packet, linktype) + 5 + n)
        else:
            sys.exit(f"cut.py: unknown place {place}")
        return
    sys.exit(f"cut.py: no frame {frame} in {path}")


if __name__ == "__main__":
    main()
