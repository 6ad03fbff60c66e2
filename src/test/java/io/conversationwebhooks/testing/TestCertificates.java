package io.conversationwebhooks.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A test certificate authority and server certificates issued by it, made with the JDK's {@code keytool} (no
 * library of our own builds certificates): a trust store holding only the test CA, and server key stores whose
 * certificate is valid for {@code localhost}, expired, issued for another host name, or self-signed (not issued by
 * the CA). All stores are PKCS#12 with the password {@link #PASSWORD}.
 */
public final class TestCertificates {

    /** Password of every store made here (test material only). */
    public static final String PASSWORD = "changeit";

    private final Path directory;

    private TestCertificates(Path directory) {
        this.directory = directory;
    }

    /** Makes the CA and its trust store in {@code directory}. */
    public static TestCertificates create(Path directory) throws IOException {
        Files.createDirectories(directory);
        TestCertificates certificates = new TestCertificates(directory);
        certificates.keytool("-genkeypair", "-alias", "ca", "-dname", "CN=conversation-webhooks test CA",
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3", "-ext", "bc:c",
                "-keystore", certificates.path("ca.p12"));
        certificates.keytool("-exportcert", "-alias", "ca", "-rfc", "-keystore", certificates.path("ca.p12"),
                "-file", certificates.path("ca.pem"));
        certificates.keytool("-importcert", "-noprompt", "-trustcacerts", "-alias", "ca", "-file",
                certificates.path("ca.pem"), "-keystore", certificates.path("truststore.p12"));
        return certificates;
    }

    /** The PKCS#12 trust store holding only the test CA. */
    public Path trustStore() {
        return directory.resolve("truststore.p12");
    }

    /**
     * A server key store whose certificate the test CA issued.
     *
     * @param name file name (without extension)
     * @param subjectAlternativeNames keytool's {@code san=} value, e.g. {@code dns:localhost,ip:127.0.0.1}
     * @param startDate keytool's {@code -startdate} (e.g. {@code -3d}), or null for now
     * @param validityDays days of validity from the start date
     */
    public Path issued(String name, String subjectAlternativeNames, String startDate, int validityDays)
            throws IOException {
        String store = path(name + ".p12");
        keytool("-genkeypair", "-alias", "server", "-dname", "CN=" + name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "3", "-keystore", store);
        keytool("-certreq", "-alias", "server", "-keystore", store, "-file", path(name + ".csr"));
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", path("ca.p12"),
                "-infile", path(name + ".csr"), "-outfile", path(name + ".pem"), "-rfc",
                "-ext", "san=" + subjectAlternativeNames, "-validity", Integer.toString(validityDays)));
        if (startDate != null) {
            gencert.addAll(List.of("-startdate", startDate));
        }
        keytool(gencert.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-trustcacerts", "-alias", "ca", "-file", path("ca.pem"), "-keystore", store);
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", path(name + ".pem"), "-keystore", store);
        return Path.of(store);
    }

    /** A server key store with a self-signed certificate for {@code localhost}, which the test CA did not issue. */
    public Path selfSigned(String name) throws IOException {
        String store = path(name + ".p12");
        keytool("-genkeypair", "-alias", "server", "-dname", "CN=localhost", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "3", "-ext", "san=dns:localhost,ip:127.0.0.1", "-keystore", store);
        return Path.of(store);
    }

    /** A server-side TLS context presenting the key store's certificate. */
    public static SSLContext serverContext(Path keyStore) {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + keyStore, e);
        }
    }

    private String path(String file) {
        return directory.resolve(file).toString();
    }

    private void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        if (List.of(arguments).contains("-genkeypair")) {
            command.addAll(List.of("-keypass", PASSWORD));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool " + arguments[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
