/** The projects a tenant works in, as its jobs show them: the page's first screen. */
package dev.imagejobs.gateway.projects;
