package studio.vibedata.serve;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import org.junit.jupiter.api.Test;

/** A wrong IDENTITY_HEADER (set for this JVM by the pom): 401. */
class WrongHeaderTest {
    @Test
    void wrongHeaderFails() {
        ClientAuthenticationException error = assertThrows(ClientAuthenticationException.class, () -> new ManagedIdentityCredentialBuilder()
                .build().getTokenSync(new TokenRequestContext().addScopes("https://vault.azure.net/.default")));
        assertTrue(Emulator.messages(error).contains("X-IDENTITY-HEADER header is wrong"), Emulator.messages(error));
    }
}
