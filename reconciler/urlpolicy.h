/*
 * urlpolicy: where a secret may travel in clear. Every URL ciform sends a
 * token to (the organisation, GitHub or GitLab, a git remote) must be https,
 * except to a host that is literally this machine.
 */
#ifndef CF_URLPOLICY_H
#define CF_URLPOLICY_H

#include <stdbool.h>

/* True for a dotted IPv4 literal in 127.0.0.0/8, [::1] (or ::1), and exactly
 * "localhost". A name that merely starts with 127 or "localhost" could be
 * anyone's, who would then read the token in clear. */
bool cf_host_is_loopback(const char *host);

#endif
