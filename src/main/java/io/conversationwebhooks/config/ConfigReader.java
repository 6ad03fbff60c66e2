package io.conversationwebhooks.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;
import java.util.Map;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Reads {@link WebhooksConfig} without starting Quarkus, for the command-line tools ({@code ./replay.sh}): the same
 * mapping, keys, defaults and duration spellings ({@code 5s}, {@code 3d}, ISO-8601) as the functions, from the same
 * environment variable names and the same order of precedence as Quarkus
 * (<a href="https://quarkus.io/guides/config-reference#configuration-sources">configuration sources</a>): the
 * environment (ordinal 300) over {@code application.properties} on the class path (250). System properties are not
 * read: a command's configuration is its environment.
 */
public final class ConfigReader {

    private static final int ENVIRONMENT = 300;
    private static final int APPLICATION_PROPERTIES = 250;
    private static final int CONVERTER_PRIORITY = 200;

    private ConfigReader() {
    }

    /**
     * Builds the configuration.
     *
     * @param environment the environment variables, e.g. {@code System.getenv()}
     * @return the configuration; {@code getConfigMapping(WebhooksConfig.class)} gives the mapping, and other keys
     *         ({@code quarkus.dynamodb.endpoint-override}) are read from it by name
     * @throws java.util.NoSuchElementException or {@link IllegalArgumentException} when a value cannot be converted
     *         (SmallRye Config names the key; values are not repeated)
     */
    public static SmallRyeConfig read(Map<String, String> environment) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withConverter(Duration.class, CONVERTER_PRIORITY, new DurationConverter())
                .withSources(new EnvConfigSource(environment, ENVIRONMENT))
                .withMapping(WebhooksConfig.class)
                .withValidateUnknown(false);
        URL application = ConfigReader.class.getClassLoader().getResource("application.properties");
        if (application != null) {
            try {
                builder.withSources(new PropertiesConfigSource(application, APPLICATION_PROPERTIES));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + application, e);
            }
        }
        return builder.build();
    }
}
