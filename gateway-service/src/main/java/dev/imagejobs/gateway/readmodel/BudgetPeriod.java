package dev.imagejobs.gateway.readmodel;

/**
 * The period a budget's spending counts: for a monthly budget, the current calendar month (UTC).
 * Every statement that reads or changes a budget's spending goes through these, so a month's first
 * creation or settlement starts it from zero and no cost falls between two months.
 */
public final class BudgetPeriod {
  private BudgetPeriod() {}

  private static String rolled(String alias) {
    return alias + "monthly_reset AND " + alias + "period_start < date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'";
  }

  /** The budget's spending in its current period: nothing yet in a new month of a monthly budget. */
  public static String spentNow(String alias) {
    return "CASE WHEN " + rolled(alias) + " THEN 0 ELSE " + alias + "spent_micros END";
  }

  /** The start of the budget's current period. */
  public static String periodStartNow(String alias) {
    return "CASE WHEN " + rolled(alias) + " THEN date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' ELSE "
        + alias + "period_start END";
  }
}
