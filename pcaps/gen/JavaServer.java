// A tiny JSSE server: java JavaServer PORT KEYSTORE TRUSTSTORE PROTOCOL (need|want|none)
// Answers one connection with a short HTTP response, then exits.
import java.io.*;
import java.net.*;
import java.security.KeyStore;
import javax.net.ssl.*;

public class JavaServer {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        char[] pass = "changeit".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new FileInputStream(args[1]), pass);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, pass);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(new FileInputStream(args[2]), pass);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory()
            .createServerSocket(port, 5, InetAddress.getByName(args.length > 5 ? args[5] : "127.0.0.1"));
        server.setEnabledProtocols(new String[] { args[3] });
        if (args[4].equals("need")) server.setNeedClientAuth(true);
        if (args[4].equals("want")) server.setWantClientAuth(true);
        System.out.println("ready");
        try (SSLSocket s = (SSLSocket) server.accept()) {
            s.startHandshake();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream()));
            in.readLine();
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n".getBytes());
            out.flush();
        } catch (IOException e) {
            System.out.println("server: " + e);
        }
    }
}
