package dev.imagejobs.gateway.budgets;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;

/**
 * A project's budget to set.
 *
 * @param amountUsd what may be spent, in USD with at most six decimals (micro-dollars)
 * @param monthlyReset whether spending starts again from zero each calendar month (UTC)
 * @param thresholdsPercent the shares of the amount (spent plus reserved) whose crossing is
 *     announced as a {@code budget.threshold} webhook, once per period; 80 and 100 when a budget is
 *     first set without them, unchanged when left out later
 */
public record BudgetRequest(
    @NotNull @DecimalMin(value = "0", message = "must not be negative")
    @Digits(integer = 12, fraction = 6, message = "must have at most 12 digits and 6 decimals") BigDecimal amountUsd,
    boolean monthlyReset,
    @Size(max = 5, message = "must have at most 5 thresholds")
    List<@NotNull @Min(value = 1, message = "must be 1 to 1000") @Max(value = 1000, message = "must be 1 to 1000")
        Integer> thresholdsPercent) {}
