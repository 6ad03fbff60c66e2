package io.conversationwebhooks;

import io.conversationwebhooks.testing.ReceiverResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link ConversationStreamFunctionTest} against the packaged native binary, run by {@code ./mvnw verify -Dnative}
 * ({@code ./build-native.sh --verify}, or {@code ./mvnw verify -Dnative} with GraalVM/Mandrel).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = ReceiverResource.class, restrictToAnnotatedClass = true)
class ConversationStreamFunctionIT extends ConversationStreamFunctionTest {
}
