package io.conversationwebhooks.ledger;

import java.util.Arrays;
import java.util.Optional;

/** What became of a delivery, as the ledger's {@code outcome} attribute spells it. */
public enum LedgerOutcome {
    /** The subscriber answered 2xx (inline, from the retry queue, or by replay). */
    DELIVERED("delivered"),
    /** On the retry queue; the retry function finishes it. */
    PARKED("parked"),
    /** The retry schedule was used up, or the subscription was disabled: kept with its body, ready to be replayed. */
    DEAD_LETTERED("dead-lettered"),
    /** Never to be sent: the address guard refused the URL, it is malformed, or the subscriber answered 410 Gone. */
    SKIPPED("skipped");

    private final String value;

    LedgerOutcome(String value) {
        this.value = value;
    }

    /** The attribute value. */
    public String value() {
        return value;
    }

    /** Whether nothing more will be done with the delivery (everything but {@link #PARKED}). */
    public boolean isFinal() {
        return this != PARKED;
    }

    /** The outcome an attribute value names, if any. */
    public static Optional<LedgerOutcome> of(String value) {
        return Arrays.stream(values()).filter(outcome -> outcome.value.equals(value)).findFirst();
    }
}
