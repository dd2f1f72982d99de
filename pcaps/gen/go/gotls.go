// gotls: a small Go crypto/tls peer for pcaps/generate.sh (standard library only).
//
//	go run gotls.go -mode server -addr 127.0.0.1:PORT -cert CHAIN.crt -key KEY [-ca ROOT.crt]
//	    [-clientauth none|request|require|verify-if-given|require-and-verify] [-n CONNECTIONS]
//	go run gotls.go -mode client -addr 127.0.0.1:PORT [-ca ROOT.crt] [-cert CHAIN.crt -key KEY]
//	    [-servername localhost]
//
// Both: -tls 1.2|1.3 (only that version; default: Go's range), -keylog FILE (appended, NSS key log
// format, tls.Config.KeyLogWriter), -noclosenotify (close the TCP connection without a
// close_notify alert).
// The server answers each connection's first read with -response; the client sends -request and
// prints what comes back until EOF.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

var (
	mode          = flag.String("mode", "client", "client or server")
	addr          = flag.String("addr", "127.0.0.1:8443", "address to connect to or listen on")
	version       = flag.String("tls", "", "1.2 or 1.3: only this version")
	certFile      = flag.String("cert", "", "certificate chain (PEM, leaf first)")
	keyFile       = flag.String("key", "", "private key (PEM)")
	caFile        = flag.String("ca", "", "trusted CA certificates (PEM): server's RootCAs / client's ClientCAs")
	clientAuth    = flag.String("clientauth", "none", "none|request|require|verify-if-given|require-and-verify")
	keylog        = flag.String("keylog", "", "append the key log to this file")
	serverName    = flag.String("servername", "localhost", "SNI and the name to verify (client)")
	connections   = flag.Int("n", 1, "connections to accept (server)")
	request       = flag.String("request", "GET / HTTP/1.0\r\n\r\n", "what the client sends")
	response      = flag.String("response", "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n", "what the server answers")
	noCloseNotify = flag.Bool("noclosenotify", false, "close TCP without sending close_notify")
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gotls: "+format+"\n", args...)
	os.Exit(2)
}

func config() *tls.Config {
	cfg := &tls.Config{ServerName: *serverName}
	switch *version {
	case "":
	case "1.2":
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	case "1.3":
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
	default:
		fail("unknown -tls %q", *version)
	}
	if *certFile != "" {
		pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fail("%v", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fail("%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail("no certificate in %s", *caFile)
		}
		cfg.RootCAs, cfg.ClientCAs = pool, pool
	}
	switch *clientAuth {
	case "none":
		cfg.ClientAuth = tls.NoClientCert
	case "request":
		cfg.ClientAuth = tls.RequestClientCert
	case "require":
		cfg.ClientAuth = tls.RequireAnyClientCert
	case "verify-if-given":
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case "require-and-verify":
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	default:
		fail("unknown -clientauth %q", *clientAuth)
	}
	if *keylog != "" {
		f, err := os.OpenFile(*keylog, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			fail("%v", err)
		}
		cfg.KeyLogWriter = f
	}
	return cfg
}

// finish closes the connection: with close_notify (tls.Conn.Close), or the TCP connection alone.
func finish(c *tls.Conn, raw net.Conn) {
	if *noCloseNotify {
		raw.Close()
	} else {
		c.Close()
	}
}

func describe(c *tls.Conn) string {
	st := c.ConnectionState()
	peer := "no peer certificate"
	if len(st.PeerCertificates) > 0 {
		peer = "peer " + st.PeerCertificates[0].Subject.String()
	}
	return fmt.Sprintf("version %#x, suite %s, %s", st.Version, tls.CipherSuiteName(st.CipherSuite), peer)
}

func serve(cfg *tls.Config) {
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fail("%v", err)
	}
	fmt.Println("ready")
	for i := 0; i < *connections; i++ {
		raw, err := ln.Accept()
		if err != nil {
			fail("%v", err)
		}
		c := tls.Server(raw, cfg)
		if err := c.Handshake(); err != nil {
			fmt.Println("server: handshake:", err)
			c.Close()
			continue
		}
		fmt.Println("server: handshake ok:", describe(c))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 4096)
		n, err := c.Read(buf)
		if err != nil {
			fmt.Println("server: read:", err)
		} else {
			fmt.Printf("server: read %q\n", buf[:n])
			if _, err := io.WriteString(c, *response); err != nil {
				fmt.Println("server: write:", err)
			}
		}
		finish(c, raw)
	}
}

func connect(cfg *tls.Config) {
	raw, err := net.Dial("tcp", *addr)
	if err != nil {
		fail("%v", err)
	}
	c := tls.Client(raw, cfg)
	if err := c.Handshake(); err != nil {
		fmt.Println("client: handshake:", err)
		c.Close()
		return
	}
	fmt.Println("client: handshake ok:", describe(c))
	if _, err := io.WriteString(c, *request); err != nil {
		fmt.Println("client: write:", err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got strings.Builder
	_, err = io.Copy(&got, c)
	fmt.Printf("client: read %q (%v)\n", got.String(), err)
	finish(c, raw)
}

func main() {
	flag.Parse()
	cfg := config()
	if *mode == "server" {
		serve(cfg)
	} else {
		connect(cfg)
	}
}
