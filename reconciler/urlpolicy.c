/*
 * urlpolicy: the loopback test behind every "https, or http to this machine" rule.
 */
#include "reconciler/urlpolicy.h"

#include <arpa/inet.h>
#include <string.h>

bool cf_host_is_loopback(const char *host)
{
	struct in_addr v4;
	if (!host)
		return false;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	return !strcmp(host, "localhost") || !strcmp(host, "[::1]") || !strcmp(host, "::1");
}
