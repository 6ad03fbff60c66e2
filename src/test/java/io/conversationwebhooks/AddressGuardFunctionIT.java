package io.conversationwebhooks;

import io.conversationwebhooks.testing.PrivateNetworksRefusedResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link AddressGuardFunctionTest} against the packaged native binary: the guard's DNS resolution and address checks
 * as the binary runs them ({@code ./build-native.sh --verify}, or {@code ./mvnw verify -Dnative}).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PrivateNetworksRefusedResource.class, restrictToAnnotatedClass = true)
class AddressGuardFunctionIT extends AddressGuardFunctionTest {
}
