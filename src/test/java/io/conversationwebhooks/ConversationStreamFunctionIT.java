package io.conversationwebhooks;

import io.conversationwebhooks.testing.ReceiverResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link ConversationStreamFunctionTest} against the packaged native binary, run by {@code ./mvnw verify -Dnative}
 * (see .github/workflows/native.yml; this machine has no native toolchain).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = ReceiverResource.class, restrictToAnnotatedClass = true)
class ConversationStreamFunctionIT extends ConversationStreamFunctionTest {
}
