package io.conversationwebhooks;

import io.conversationwebhooks.testing.DynamoDbResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link DynamoDbStreamTest} against the packaged native binary, run by {@code ./mvnw verify -Dnative}
 * ({@code ./build-native.sh --verify}, or {@code ./mvnw verify -Dnative} with GraalVM/Mandrel).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = DynamoDbResource.class, restrictToAnnotatedClass = true)
class DynamoDbStreamIT extends DynamoDbStreamTest {
}
