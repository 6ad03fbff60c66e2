/**
 * What operators see (CONTRACT section 8, README "Monitoring"): the invocation's metrics as CloudWatch Embedded Metric
 * Format lines, operational events on an SNS topic, and JSON log lines in Lambda. {@link
 * io.conversationwebhooks.operations.OperationsReport} is the one port: the settlement reports the disables and
 * recoveries it causes, the fan-out and the retry function count each delivery, and both entry points end each
 * invocation with it. Depends only on {@code delivery} (the outcomes it counts) and {@code config}; nothing here can
 * fail a delivery or a record.
 */
package io.conversationwebhooks.operations;
