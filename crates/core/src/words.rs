//! Small helpers for the words the report and the findings print.

/// `client_hello` → `ClientHello`.
pub(crate) fn camel(snake: &str) -> String {
    snake.split('_').map(capitalize).collect()
}

/// `the client` → `The client`.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// Hex-encoded bytes (as the report keeps a stream's first bytes) as escaped text.
pub(crate) fn printable_hex(hex: &str) -> String {
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .flat_map(std::ascii::escape_default)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(camel("client_hello"), "ClientHello");
        assert_eq!(capitalize("the server"), "The server");
        assert_eq!(printable_hex("474554200d0a"), "GET \\r\\n");
    }
}
