package studio.vibedata.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * azure-identity's own credentials against `vd-broker serve`, with no code of
 * ours in the client: both pick the App Service protocol from
 * IDENTITY_ENDPOINT and IDENTITY_HEADER.
 */
class IdentityTest {
    @BeforeAll
    static void onlyTheEndpoint() {
        Emulator.requireTheEndpointAlone();
    }

    @AfterEach
    void dropFaults() throws Exception {
        Emulator.control("DELETE", "faults", null);
    }

    private static TokenRequestContext scope(String scope) {
        return new TokenRequestContext().addScopes(scope);
    }

    @Test
    void managedIdentityCredentialGetsAStudioToken() {
        AccessToken token = new ManagedIdentityCredentialBuilder().build().getTokenSync(scope("https://vault.azure.net/.default"));
        assertEquals("https://vault.azure.net", Emulator.audience(token.getToken()));
        assertTrue(token.getExpiresAt().isAfter(OffsetDateTime.now().plusMinutes(50)), token.getExpiresAt().toString());
    }

    @Test
    void defaultAzureCredentialFindsTheEndpoint() throws Exception {
        long before = Emulator.brokerRequests("storage");
        AccessToken token = new DefaultAzureCredentialBuilder().build().getTokenSync(scope("https://storage.azure.com/.default"));
        assertEquals("https://storage.azure.com", Emulator.audience(token.getToken()));
        assertEquals(before + 1, Emulator.brokerRequests("storage"));
    }

    // What azure-identity raises for each of the endpoint's errors: a
    // ClientAuthenticationException whose causes carry the endpoint's
    // description.

    @Test
    void unknownResourceFailsNamingTheKnownResources() {
        ClientAuthenticationException error = assertThrows(ClientAuthenticationException.class,
                () -> new ManagedIdentityCredentialBuilder().build().getTokenSync(scope("https://example.com/.default")));
        String messages = Emulator.messages(error);
        assertTrue(messages.contains("no broker audience is mapped") && messages.contains("https://storage.azure.com"), messages);
        ClientAuthenticationException chained = assertThrows(ClientAuthenticationException.class,
                () -> new DefaultAzureCredentialBuilder().build().getTokenSync(scope("https://example.com/.default")));
        assertTrue(Emulator.messages(chained).contains("no broker audience is mapped"), Emulator.messages(chained));
    }

    @Test
    void brokerRejectionFailsWithTheBrokersReason() throws Exception {
        Emulator.control("POST", "faults", "{\"action\": \"respond\", \"status\": 401, \"times\": 8}");
        ClientAuthenticationException error = assertThrows(ClientAuthenticationException.class,
                () -> new ManagedIdentityCredentialBuilder().build().getTokenSync(scope(Emulator.FAULT_RESOURCE + "/.default")));
        assertTrue(Emulator.messages(error).contains("broker rejected the request (401)"), Emulator.messages(error));
    }
}
