package io.conversationwebhooks;

import io.conversationwebhooks.testing.DynamoDbResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link DynamoDbStreamTest} against the packaged native binary, run by {@code ./mvnw verify -Dnative}
 * (see .github/workflows/native.yml; this machine has no native toolchain).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = DynamoDbResource.class, restrictToAnnotatedClass = true)
class DynamoDbStreamIT extends DynamoDbStreamTest {
}
