package dev.imagejobs.gateway.budgets;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A project's budget as the API shows it, in USD.
 *
 * @param projectId the project
 * @param amountUsd what may be spent (per month when {@code monthlyReset})
 * @param monthlyReset whether spending starts again from zero each calendar month (UTC)
 * @param periodStart the start of the month {@code spentUsd} counts, for a monthly budget
 * @param spentUsd actual cost of the runs that ended
 * @param reservedUsd estimated cost of the runs not yet ended
 * @param remainingUsd what new jobs may still reserve; never below zero
 * @param overrunUsd how far actual costs went past their runs' estimates
 * @param thresholdsPercent the shares of the amount whose crossing is announced
 * @param thresholdReachedPercent the highest of them spent plus reserved reached in this period; 0 for none
 */
public record BudgetView(String projectId, BigDecimal amountUsd, boolean monthlyReset, Instant periodStart,
    BigDecimal spentUsd, BigDecimal reservedUsd, BigDecimal remainingUsd, BigDecimal overrunUsd,
    List<Integer> thresholdsPercent, int thresholdReachedPercent) {

  static BudgetView of(String projectId, long amount, boolean monthly, Instant periodStart, long spent, long reserved,
      long overrun, List<Integer> thresholds, int reached) {
    return new BudgetView(projectId, Money.usd(amount), monthly, periodStart, Money.usd(spent), Money.usd(reserved),
        Money.usd(Math.max(0, amount - spent - reserved)), Money.usd(overrun), List.copyOf(thresholds), reached);
  }
}
