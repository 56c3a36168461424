/**
 * Reference images uploaded to a project: checked like generated images, stored privately in the
 * bucket under the tenant's project, listed and deleted; jobs name them to send them to the model.
 */
package dev.imagejobs.gateway.references;
