/**
 * Monitoring figures of a tenant's jobs as an API: share by status, completion times and cost by
 * job type, computed in SQL over the read model.
 */
package dev.imagejobs.gateway.stats;
