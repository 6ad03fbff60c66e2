package io.conversationwebhooks.stream;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Decodes DynamoDB JSON, the attribute value format of stream images
 * (<a href="https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html">AttributeValue</a>):
 * {@code {"S":"text"}}, {@code {"N":"12.50"}}, {@code {"B":"<base64>"}}, {@code {"BOOL":true}},
 * {@code {"NULL":true}}, {@code {"M":{...}}}, {@code {"L":[...]}}, {@code {"SS":[...]}}, {@code {"NS":[...]}},
 * {@code {"BS":[...]}}.
 *
 * <p>Numbers stay the decimal strings DynamoDB sent (checked to be numbers within DynamoDB's range of 38 significant
 * digits and magnitudes 1E-130 to 9.99E+125, see
 * <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html">data
 * types</a>), so no digit is lost and no later step meets an absurd exponent.
 */
public final class AttributeValueJson {

    private AttributeValueJson() {
    }

    /**
     * Decodes an image (a map of attribute names to values).
     *
     * @param image a JSON object of DynamoDB JSON values
     * @param path where the image is, for error messages (e.g. {@code NewImage})
     * @return the attributes, in the order of the JSON object
     * @throws IllegalArgumentException naming the path of the first value that is not valid DynamoDB JSON
     */
    public static Map<String, AttributeValue> decodeImage(JsonNode image, String path) {
        return decodeImage(image, new Where(null, path, -1));
    }

    /**
     * Decodes one attribute value.
     *
     * @throws IllegalArgumentException naming {@code path} when the value is not valid DynamoDB JSON
     */
    public static AttributeValue decode(JsonNode value, String path) {
        return decode(value, new Where(null, path, -1));
    }

    private static Map<String, AttributeValue> decodeImage(JsonNode image, Where path) {
        if (image == null || !image.isObject()) {
            throw new IllegalArgumentException(path + " is not a JSON object");
        }
        Map<String, AttributeValue> attributes = new LinkedHashMap<>(image.size() * 4 / 3 + 1);
        for (Iterator<Map.Entry<String, JsonNode>> it = image.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            attributes.put(field.getKey(), decode(field.getValue(), path.field(field.getKey())));
        }
        return attributes;
    }

    private static AttributeValue decode(JsonNode value, Where path) {
        if (value == null || !value.isObject() || value.size() != 1) {
            throw new IllegalArgumentException(path + " is not a DynamoDB JSON value (an object with one type key)");
        }
        Map.Entry<String, JsonNode> typed = value.fields().next();
        String type = typed.getKey();
        JsonNode content = typed.getValue();
        return switch (type) {
            case "S" -> AttributeValue.fromS(text(content, path, type));
            case "N" -> AttributeValue.fromN(number(content, path, type));
            case "B" -> AttributeValue.fromB(binary(content, path, type));
            case "BOOL" -> {
                if (!content.isBoolean()) {
                    throw new IllegalArgumentException(path.field(type) + " is not a boolean");
                }
                yield AttributeValue.fromBool(content.booleanValue());
            }
            case "NULL" -> {
                if (!content.isBoolean() || !content.booleanValue()) {
                    throw new IllegalArgumentException(path.field(type) + " must be true");
                }
                yield AttributeValue.fromNul(true);
            }
            case "M" -> AttributeValue.fromM(decodeImage(content, path.field(type)));
            case "L" -> {
                List<AttributeValue> list = new ArrayList<>(array(content, path, type).size());
                Where where = path.field(type);
                int i = 0;
                for (JsonNode element : content) {
                    list.add(decode(element, where.element(i++)));
                }
                yield AttributeValue.fromL(list);
            }
            case "SS" -> {
                List<String> set = new ArrayList<>(array(content, path, type).size());
                for (JsonNode element : content) {
                    set.add(text(element, path, type));
                }
                yield AttributeValue.fromSs(set);
            }
            case "NS" -> {
                List<String> set = new ArrayList<>(array(content, path, type).size());
                for (JsonNode element : content) {
                    set.add(number(element, path, type));
                }
                yield AttributeValue.fromNs(set);
            }
            case "BS" -> {
                List<SdkBytes> set = new ArrayList<>(array(content, path, type).size());
                for (JsonNode element : content) {
                    set.add(binary(element, path, type));
                }
                yield AttributeValue.fromBs(set);
            }
            default -> throw new IllegalArgumentException(path + " has unknown DynamoDB type '" + type + "'");
        };
    }

    /**
     * Where a value sits in the record ({@code NewImage.customFields.L[2].M.value}), for error messages. Its text is
     * only built when an error names it: valid records, nearly all of them, never pay for the string.
     */
    private record Where(Where parent, String name, int index) {

        Where field(String child) {
            return new Where(this, child, -1);
        }

        Where element(int position) {
            return new Where(this, null, position);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            append(text);
            return text.toString();
        }

        private void append(StringBuilder text) {
            if (parent != null) {
                parent.append(text);
            }
            if (name == null) {
                text.append('[').append(index).append(']');
            } else {
                text.append(parent == null ? "" : ".").append(name);
            }
        }
    }

    private static String text(JsonNode node, Where path, String type) {
        if (!node.isTextual()) {
            throw new IllegalArgumentException(path.field(type) + " is not a string");
        }
        return node.textValue();
    }

    /** DynamoDB numbers: up to 38 significant digits, magnitude from 1E-130 to below 1E+126. */
    private static final int MAX_DIGITS = 38;
    private static final int MIN_EXPONENT = -130;
    private static final int MAX_EXPONENT = 125;

    private static String number(JsonNode node, Where path, String type) {
        String text = text(node, path, type);
        if (isShortInteger(text)) {
            return text;
        }
        BigDecimal value;
        try {
            value = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path.field(type) + " is not a decimal number");
        }
        if (value.signum() != 0) {
            BigDecimal significant = value.stripTrailingZeros();
            long exponent = (long) significant.precision() - significant.scale() - 1;
            if (significant.precision() > MAX_DIGITS || exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
                throw new IllegalArgumentException(path.field(type) + " is outside DynamoDB's number range");
            }
        }
        return text;
    }

    /**
     * An optional minus and 1 to 38 ASCII digits: always a number within DynamoDB's range, so the common case (ids,
     * codes, counts, epoch seconds) skips {@link BigDecimal}.
     */
    private static boolean isShortInteger(String text) {
        int start = !text.isEmpty() && text.charAt(0) == '-' ? 1 : 0;
        int digits = text.length() - start;
        if (digits < 1 || digits > MAX_DIGITS) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static SdkBytes binary(JsonNode node, Where path, String type) {
        String text = text(node, path, type);
        try {
            return SdkBytes.fromByteArray(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path.field(type) + " is not base64");
        }
    }

    private static JsonNode array(JsonNode node, Where path, String type) {
        if (!node.isArray()) {
            throw new IllegalArgumentException(path.field(type) + " is not an array");
        }
        return node;
    }
}
