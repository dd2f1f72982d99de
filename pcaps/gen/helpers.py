"""Small TLS peers for generate.sh that the stock tools cannot play.

python3 helpers.py mtls-server PORT CERTDIR          Python ssl server requiring a client cert (TLS 1.2)
python3 helpers.py hello-then-close PORT             accepts, reads the ClientHello, closes
python3 helpers.py hello-then-reset PORT             accepts, reads the ClientHello, resets (RST)
python3 helpers.py silent PORT                       accepts, reads, never answers
python3 helpers.py small-mss-client PORT CERTDIR     TLS 1.2 client advertising MSS 536 (many segments)
python3 helpers.py interleaved-clients PORT CERTDIR  three concurrent TLS 1.2 clients (ok, no cert, ok)
"""
import socket
import ssl
import struct
import sys
import threading
import time


def mtls_server(port, certs):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(f"{certs}/server-chain.crt", f"{certs}/server.key")
    ctx.load_verify_locations(f"{certs}/root.crt")
    ctx.verify_mode = ssl.CERT_REQUIRED
    with socket.create_server(("127.0.0.1", port)) as srv:
        print("ready", flush=True)
        conn, _ = srv.accept()
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(100)
                tls.sendall(b"HTTP/1.0 200 OK\r\n\r\nok\n")
        except (ssl.SSLError, OSError) as err:
            print("server:", err)


def hello_then_close(port):
    with socket.create_server(("127.0.0.1", port)) as srv:
        print("ready", flush=True)
        conn, _ = srv.accept()
        conn.recv(65536)
        conn.close()


def hello_then_reset(port):
    with socket.create_server(("127.0.0.1", port)) as srv:
        print("ready", flush=True)
        conn, _ = srv.accept()
        conn.recv(65536)
        # SO_LINGER with a zero timeout makes close() send a RST.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()


def silent(port):
    with socket.create_server(("127.0.0.1", port)) as srv:
        print("ready", flush=True)
        conn, _ = srv.accept()
        conn.recv(65536)
        while conn.recv(65536):
            pass


def client_ctx(certs, with_cert):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_verify_locations(f"{certs}/root.crt")
    if with_cert:
        ctx.load_cert_chain(f"{certs}/client-chain.crt", f"{certs}/client.key")
    return ctx


def request(ctx, port, mss=None, barrier=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if mss:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
    sock.connect(("127.0.0.1", port))
    if barrier:
        barrier.wait()
    try:
        with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
            while tls.recv(4096):
                pass
    except (ssl.SSLError, OSError) as err:
        print("client:", err)


def interleaved_clients(port, certs):
    barrier = threading.Barrier(3)
    threads = [
        threading.Thread(target=request, args=(client_ctx(certs, cert), port, None, barrier))
        for cert in (True, False, True)
    ]
    for t in threads:
        t.start()
        time.sleep(0.01)
    for t in threads:
        t.join()


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "mtls-server":
        mtls_server(port, sys.argv[3])
    elif cmd == "hello-then-close":
        hello_then_close(port)
    elif cmd == "hello-then-reset":
        hello_then_reset(port)
    elif cmd == "silent":
        silent(port)
    elif cmd == "small-mss-client":
        request(client_ctx(sys.argv[3], True), port, mss=536)
    elif cmd == "interleaved-clients":
        interleaved_clients(port, sys.argv[3])
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
