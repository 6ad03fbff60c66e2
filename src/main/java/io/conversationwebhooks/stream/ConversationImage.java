package io.conversationwebhooks.stream;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One image of a FreeScout conversation item (CONTRACT section 3), with the readings change detection and filters
 * need. Codes follow FreeScout's {@code Conversation} model: status 1 active, 2 pending, 3 closed, 4 spam; state 1
 * draft, 2 published, 3 deleted; type 1 email, 2 phone, 3 chat, 4 custom.
 *
 * @param attributes the item's attributes as DynamoDB sent them
 */
public record ConversationImage(Map<String, AttributeValue> attributes) {

    private static final Map<String, String> STATUS = Map.of("1", "active", "2", "pending", "3", "closed", "4", "spam");
    private static final Map<String, String> STATE = Map.of("1", "draft", "2", "published", "3", "deleted");
    private static final Map<String, String> TYPE = Map.of("1", "email", "2", "phone", "3", "chat", "4", "custom");

    /** State name of a draft (FreeScout state 1). */
    public static final String DRAFT = "draft";
    /** State name of a published conversation (FreeScout state 2). */
    public static final String PUBLISHED = "published";
    /** State name of a conversation in the trash (FreeScout state 3). */
    public static final String DELETED = "deleted";

    /** The status name ({@code active}, ...); an unknown code as its string form; empty when absent. */
    public Optional<String> status() {
        return named("status", STATUS);
    }

    /** The state name ({@code draft}, {@code published}, {@code deleted}); empty when absent. */
    public Optional<String> state() {
        return named("state", STATE);
    }

    /** The type name ({@code email}, ...); empty when absent. */
    public Optional<String> type() {
        return named("type", TYPE);
    }

    /** The mailbox id in canonical decimal form, empty when absent or NULL. */
    public Optional<String> mailboxId() {
        return canonicalNumber(attributes.get("mailboxId"));
    }

    /** The assignee's user id in canonical decimal form; empty when unassigned (absent, NULL, or no id). */
    public Optional<String> assigneeId() {
        AttributeValue assignee = attributes.get("assignee");
        if (assignee == null || !assignee.hasM()) {
            return Optional.empty();
        }
        return canonicalNumber(assignee.m().get("id"));
    }

    /** The attribute, when present and not NULL. */
    public Optional<AttributeValue> get(String name) {
        AttributeValue value = attributes.get(name);
        return value == null || Boolean.TRUE.equals(value.nul()) ? Optional.empty() : Optional.of(value);
    }

    /** The name for a code-valued attribute: N or digits in S map through the table; any other S is the name. */
    private Optional<String> named(String attribute, Map<String, String> names) {
        return get(attribute).flatMap(value -> {
            if (value.n() != null) {
                String code = canonical(value.n());
                return Optional.of(names.getOrDefault(code, code));
            }
            if (value.s() != null) {
                Optional<String> code = canonicalNumber(value);
                return Optional.of(code.map(c -> names.getOrDefault(c, c)).orElse(value.s()));
            }
            return Optional.empty();
        });
    }

    /**
     * A number in canonical decimal form ({@code 7}, {@code 7.5}), from N or from S holding a number; empty for any
     * other value.
     */
    public static Optional<String> canonicalNumber(AttributeValue value) {
        if (value == null) {
            return Optional.empty();
        }
        String text = value.n() != null ? value.n() : value.s();
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(canonical(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Canonical decimal form of a number string: no exponent, no trailing zeros after the point. */
    public static String canonical(String number) {
        BigDecimal value = new BigDecimal(number.trim());
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }
}
