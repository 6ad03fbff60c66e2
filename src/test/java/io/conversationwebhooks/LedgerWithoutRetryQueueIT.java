package io.conversationwebhooks;

import io.conversationwebhooks.testing.DeliveryGuaranteesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link LedgerWithoutRetryQueueTest} against the packaged native binary ({@code ./build-native.sh --verify}, or
 * {@code ./mvnw verify -Dnative} with GraalVM/Mandrel).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = DeliveryGuaranteesResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "retry-queue", value = "false"))
class LedgerWithoutRetryQueueIT extends LedgerWithoutRetryQueueTest {
}
