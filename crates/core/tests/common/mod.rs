//! Builds small pcap files in memory for tests: Ethernet + IPv4 + TCP frames, every field under
//! the test's control.

#![allow(dead_code)]

/// A little-endian microsecond pcap with link type Ethernet.
pub(crate) fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut file = Vec::with_capacity(24 + frames.iter().map(|f| f.len() + 16).sum::<usize>());
    file.extend(0xa1b2_c3d4u32.to_le_bytes());
    file.extend(2u16.to_le_bytes());
    file.extend(4u16.to_le_bytes());
    file.extend([0; 8]);
    file.extend(262_144u32.to_le_bytes());
    file.extend(1u32.to_le_bytes());
    for (i, frame) in frames.iter().enumerate() {
        file.extend(1_700_000_000u32.to_le_bytes());
        file.extend((i as u32 % 1_000_000).to_le_bytes());
        file.extend((frame.len() as u32).to_le_bytes());
        file.extend((frame.len() as u32).to_le_bytes());
        file.extend(frame);
    }
    file
}

/// TCP flag bits.
pub(crate) const SYN: u8 = 0x02;
pub(crate) const ACK: u8 = 0x10;
pub(crate) const PSH_ACK: u8 = 0x18;
pub(crate) const FIN_ACK: u8 = 0x11;

/// One Ethernet frame carrying IPv4 + TCP (no options) from `src` to `dst`.
pub(crate) fn tcp_frame(
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut f = vec![0u8; 12];
    f.extend(0x0800u16.to_be_bytes());
    f.extend([0x45, 0]);
    f.extend((40 + payload.len() as u16).to_be_bytes());
    f.extend([0, 0, 0x40, 0, 64, 6, 0, 0]);
    f.extend(src.0);
    f.extend(dst.0);
    f.extend(src.1.to_be_bytes());
    f.extend(dst.1.to_be_bytes());
    f.extend(seq.to_be_bytes());
    f.extend(ack.to_be_bytes());
    f.extend([0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend(payload);
    f
}

/// A client (10.0.0.1:50000) and a server (10.0.0.2:443) exchanging payloads after a
/// three-way handshake; `(from_client, payload)` per data segment.
pub(crate) fn conversation(data: &[(bool, Vec<u8>)]) -> Vec<Vec<u8>> {
    let client = ([10, 0, 0, 1], 50000);
    let server = ([10, 0, 0, 2], 443);
    let (mut cseq, mut sseq) = (1000u32, 5000u32);
    let mut frames = vec![
        tcp_frame(client, server, cseq, 0, SYN, b""),
        tcp_frame(server, client, sseq, cseq + 1, SYN | ACK, b""),
        tcp_frame(client, server, cseq + 1, sseq + 1, ACK, b""),
    ];
    cseq += 1;
    sseq += 1;
    for (from_client, payload) in data {
        if *from_client {
            frames.push(tcp_frame(client, server, cseq, sseq, PSH_ACK, payload));
            cseq += payload.len() as u32;
        } else {
            frames.push(tcp_frame(server, client, sseq, cseq, PSH_ACK, payload));
            sseq += payload.len() as u32;
        }
    }
    frames
}

/// The repository's root.
pub(crate) fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The project's own captures (pcaps/*.pcap and *.pcapng, not the derived ones below it),
/// sorted by name: (file name, path).
pub(crate) fn project_captures() -> Vec<(String, std::path::PathBuf)> {
    let mut out: Vec<_> = std::fs::read_dir(repo_root().join("pcaps"))
        .expect("pcaps/")
        .map(|entry| entry.expect("pcaps/ entry").path())
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .is_some_and(|e| e == "pcap" || e == "pcapng")
        })
        .map(|path| {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .to_string();
            (name, path)
        })
        .collect();
    out.sort();
    out
}

/// The public corpus beside the clone, or `None` (with a message) when it is absent.
#[allow(dead_code)] // not every test binary compares with the corpus
pub(crate) fn shared_corpus() -> Option<std::path::PathBuf> {
    let shared = repo_root().join("../shared/captures");
    if shared.join("MANIFEST.md").exists() {
        Some(shared)
    } else {
        eprintln!("skipping: the public corpus ../shared/captures is not beside this clone");
        None
    }
}
