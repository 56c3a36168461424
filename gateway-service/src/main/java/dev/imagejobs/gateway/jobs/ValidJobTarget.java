package dev.imagejobs.gateway.jobs;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The ids a job type needs to name its target: frames need {@code sceneId} and {@code shotId},
 * asset keys need {@code assetId}, edits need {@code edit} and take their target from their source
 * (so they name none) and, unlike the others, may leave out {@code aspectRatio}. Each problem is
 * reported on its own field.
 */
@Documented
@Constraint(validatedBy = JobTargetValidator.class)
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@interface ValidJobTarget {
  String message() default "is required for this job type";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};
}
