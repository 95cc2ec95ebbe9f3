package studio.vibedata.serve;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The broker emulator's control API behind the endpoint, and JWT claims. */
final class Emulator {
    /** Mapped by the suite and asked for only while the broker fails: never cached. */
    static final String FAULT_RESOURCE = "https://fault.example";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Emulator() {}

    static String control(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(System.getenv("VD_SERVE_TEST_EMULATOR") + "/_emulator/" + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Broker requests the emulator saw for `audience`. */
    static long brokerRequests(String audience) throws Exception {
        try (JsonReader reader = JsonProviders.createReader(control("GET", "requests", null))) {
            Map<?, ?> log = (Map<?, ?>) reader.readUntyped();
            return ((List<?>) log.get("requests")).stream().filter(r -> audience.equals(((Map<?, ?>) r).get("audience"))).count();
        }
    }

    /** Every message down an exception's chain of causes. */
    static String messages(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable e = error; e != null; e = e.getCause()) {
            text.append(e.getClass().getName()).append(": ").append(e.getMessage()).append('\n');
        }
        return text.toString();
    }

    /** The `aud` claim of a JWT-shaped token. */
    static String audience(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"aud\":\"([^\"]*)\"").matcher(payload);
        if (!m.find()) {
            throw new AssertionError("no aud claim in " + payload);
        }
        return m.group(1);
    }

    static void requireTheEndpointAlone() {
        if (System.getenv("IDENTITY_ENDPOINT") == null || System.getenv("IDENTITY_HEADER") == null) {
            throw new AssertionError("run under `vd-broker serve --exec`");
        }
        for (String name : System.getenv().keySet()) {
            // AZURE_MSI_ENDPOINT is the endpoint's own (object_store's name for it).
            if (name.equals("AZURE_MSI_ENDPOINT") && System.getenv(name).equals(System.getenv("IDENTITY_ENDPOINT"))) {
                continue;
            }
            if (name.startsWith("AZURE_") || name.startsWith("MSI_") || name.startsWith("IMDS_")) {
                throw new AssertionError(name + " would let another credential answer");
            }
        }
    }
}
