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
        if (image == null || !image.isObject()) {
            throw new IllegalArgumentException(path + " is not a JSON object");
        }
        Map<String, AttributeValue> attributes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = image.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            attributes.put(field.getKey(), decode(field.getValue(), path + "." + field.getKey()));
        }
        return attributes;
    }

    /**
     * Decodes one attribute value.
     *
     * @throws IllegalArgumentException naming {@code path} when the value is not valid DynamoDB JSON
     */
    public static AttributeValue decode(JsonNode value, String path) {
        if (value == null || !value.isObject() || value.size() != 1) {
            throw new IllegalArgumentException(path + " is not a DynamoDB JSON value (an object with one type key)");
        }
        Map.Entry<String, JsonNode> typed = value.fields().next();
        String type = typed.getKey();
        JsonNode content = typed.getValue();
        String where = path + "." + type;
        return switch (type) {
            case "S" -> AttributeValue.fromS(text(content, where));
            case "N" -> AttributeValue.fromN(number(content, where));
            case "B" -> AttributeValue.fromB(binary(content, where));
            case "BOOL" -> {
                if (!content.isBoolean()) {
                    throw new IllegalArgumentException(where + " is not a boolean");
                }
                yield AttributeValue.fromBool(content.booleanValue());
            }
            case "NULL" -> {
                if (!content.isBoolean() || !content.booleanValue()) {
                    throw new IllegalArgumentException(where + " must be true");
                }
                yield AttributeValue.fromNul(true);
            }
            case "M" -> AttributeValue.fromM(decodeImage(content, where));
            case "L" -> {
                List<AttributeValue> list = new ArrayList<>();
                int i = 0;
                for (JsonNode element : array(content, where)) {
                    list.add(decode(element, where + "[" + i++ + "]"));
                }
                yield AttributeValue.fromL(list);
            }
            case "SS" -> {
                List<String> set = new ArrayList<>();
                for (JsonNode element : array(content, where)) {
                    set.add(text(element, where));
                }
                yield AttributeValue.fromSs(set);
            }
            case "NS" -> {
                List<String> set = new ArrayList<>();
                for (JsonNode element : array(content, where)) {
                    set.add(number(element, where));
                }
                yield AttributeValue.fromNs(set);
            }
            case "BS" -> {
                List<SdkBytes> set = new ArrayList<>();
                for (JsonNode element : array(content, where)) {
                    set.add(binary(element, where));
                }
                yield AttributeValue.fromBs(set);
            }
            default -> throw new IllegalArgumentException(path + " has unknown DynamoDB type '" + type + "'");
        };
    }

    private static String text(JsonNode node, String where) {
        if (!node.isTextual()) {
            throw new IllegalArgumentException(where + " is not a string");
        }
        return node.textValue();
    }

    /** DynamoDB numbers: up to 38 significant digits, magnitude from 1E-130 to below 1E+126. */
    private static final int MAX_DIGITS = 38;
    private static final int MIN_EXPONENT = -130;
    private static final int MAX_EXPONENT = 125;

    private static String number(JsonNode node, String where) {
        String text = text(node, where);
        BigDecimal value;
        try {
            value = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " is not a decimal number");
        }
        if (value.signum() != 0) {
            BigDecimal significant = value.stripTrailingZeros();
            long exponent = (long) significant.precision() - significant.scale() - 1;
            if (significant.precision() > MAX_DIGITS || exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
                throw new IllegalArgumentException(where + " is outside DynamoDB's number range");
            }
        }
        return text;
    }

    private static SdkBytes binary(JsonNode node, String where) {
        String text = text(node, where);
        try {
            return SdkBytes.fromByteArray(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is not base64");
        }
    }

    private static JsonNode array(JsonNode node, String where) {
        if (!node.isArray()) {
            throw new IllegalArgumentException(where + " is not an array");
        }
        return node;
    }
}
