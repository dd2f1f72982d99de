// A tiny JSSE client: java JavaClient HOST PORT KEYSTORE|- TRUSTSTORE PROTOCOL [mismatch]
// Sends one HTTP request. Its key store is consulted only through JSSE's own certificate choice.
// With "mismatch", the key store entry pairs the certificate chain with a freshly generated key
// that does not belong to it (KeyStore.setKeyEntry does not check), so the CertificateVerify
// cannot verify: the client side of a key/certificate mix-up.
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
            if (args.length > 5 && args[5].equals("mismatch")) {
                String alias = ks.aliases().nextElement();
                java.security.cert.Certificate[] chain = ks.getCertificateChain(alias);
                java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("RSA");
                gen.initialize(2048);
                KeyStore wrong = KeyStore.getInstance("PKCS12");
                wrong.load(null, pass);
                wrong.setKeyEntry(alias, gen.generateKeyPair().getPrivate(), pass, chain);
                ks = wrong;
            }
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
