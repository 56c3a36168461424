/**
 * Tests of what every route shares: problem details for every error, authentication, the body
 * limit, the OpenAPI document and the web page.
 */
package dev.imagejobs.gateway.web;
