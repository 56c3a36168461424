package dev.imagejobs.gateway.jobs;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/**
 * Checks {@link ValidJobTarget}: the cross-field rules of a job request. Public because Bean
 * Validation instantiates validators through their public constructor.
 */
public class JobTargetValidator implements ConstraintValidator<ValidJobTarget, CreateJobRequest> {

  @Override
  public boolean isValid(CreateJobRequest request, ConstraintValidatorContext context) {
    if (request == null) {
      return true;
    }
    boolean valid = true;
    context.disableDefaultConstraintViolation();
    if (request.isFrame()) {
      valid &= require(request.sceneId(), "sceneId", request.jobType(), context);
      valid &= require(request.shotId(), "shotId", request.jobType(), context);
    } else if (request.isAssetKey()) {
      valid &= require(request.assetId(), "assetId", request.jobType(), context);
    } else if (request.isEdit()) {
      valid &= require(request.edit(), "edit", request.jobType(), context);
      valid &= absent(request.sceneId(), "sceneId", context);
      valid &= absent(request.shotId(), "shotId", context);
      valid &= absent(request.assetId(), "assetId", context);
    }
    if (!request.isEdit()) {
      if (request.aspectRatio() == null) {
        valid &= refuse("aspectRatio", "must not be null", context);
      }
      if (request.edit() != null) {
        valid &= refuse("edit", "is only for EDIT jobs", context);
      }
    }
    if (request.continuesStartFrame() && !"END_FRAME".equals(request.jobType())) {
      valid &= refuse(request.startFrameJobId() != null ? "startFrameJobId" : "matchStartFrame",
          "is only for END_FRAME jobs", context);
    } else if (request.startFrameJobId() != null && Boolean.TRUE.equals(request.matchStartFrame())) {
      valid &= refuse("matchStartFrame", "must not be true when startFrameJobId names the start frame", context);
    }
    return valid;
  }

  private static boolean refuse(String field, String message, ConstraintValidatorContext context) {
    context.buildConstraintViolationWithTemplate(message).addPropertyNode(field).addConstraintViolation();
    return false;
  }

  private static boolean absent(String value, String field, ConstraintValidatorContext context) {
    return value == null || refuse(field, "is taken from the source image for EDIT jobs", context);
  }

  private static boolean require(Object value, String field, String jobType, ConstraintValidatorContext context) {
    if (value != null) {
      return true;
    }
    context.buildConstraintViolationWithTemplate("is required for " + jobType + " jobs")
        .addPropertyNode(field)
        .addConstraintViolation();
    return false;
  }
}
