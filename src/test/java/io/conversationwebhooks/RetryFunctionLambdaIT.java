package io.conversationwebhooks;

import io.conversationwebhooks.testing.DeliveryGuaranteesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link RetryFunctionLambdaTest} against the packaged native binary, exported as the retry function
 * ({@code ./build-native.sh --verify}, or {@code ./mvnw verify -Dnative} with GraalVM/Mandrel).
 */
@QuarkusIntegrationTest
@TestProfile(RetryFunctionLambdaTest.RetryExport.class)
@QuarkusTestResource(value = DeliveryGuaranteesResource.class, restrictToAnnotatedClass = true)
class RetryFunctionLambdaIT extends RetryFunctionLambdaTest {
}
