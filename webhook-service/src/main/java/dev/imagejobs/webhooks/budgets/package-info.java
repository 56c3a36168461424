/** Budget thresholds reached, published as {@code BudgetThresholdReached} events on the budgets topic. */
package dev.imagejobs.webhooks.budgets;
