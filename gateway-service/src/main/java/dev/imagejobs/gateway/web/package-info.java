/**
 * What every route shares: RFC 9457 problem details for every error, the request body limit, the
 * shape of ids and the OpenAPI document.
 */
package dev.imagejobs.gateway.web;
