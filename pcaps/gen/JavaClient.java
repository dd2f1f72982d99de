// A tiny JSSE client: java JavaClient HOST PORT KEYSTORE|- TRUSTSTORE PROTOCOL
// Sends one HTTP request. Its key store is consulted only through JSSE's own certificate choice.
import java.io.*;
import java.security.KeyStore;
import javax.net.ssl.*;

public class JavaClient {
    public static void main(String[] args) throws Exception {
        char[] pass = "changeit".toCharArray();
        KeyManager[] kms = null;
        if (!args[2].equals("-")) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new FileInputStream(args[2]), pass);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, pass);
            kms = kmf.getKeyManagers();
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(new FileInputStream(args[3]), pass);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kms, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(args[0], Integer.parseInt(args[1]))) {
            s.setEnabledProtocols(new String[] { args[4] });
            SSLParameters params = s.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(params);
            s.startHandshake();
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
            s.getOutputStream().flush();
            System.out.println(new BufferedReader(new InputStreamReader(s.getInputStream())).readLine());
        } catch (IOException e) {
            System.out.println("client: " + e);
        }
    }
}
