/**
 * Stage 2, change detection: old image + new image of a record to the FreeScout events it means, in contract order
 * (CONTRACT section 5). Pure, no I/O.
 */
package io.conversationwebhooks.change;
