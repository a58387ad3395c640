/* version.c — the build's version string. */
#include "dj/app.h"
#include "dj/banned.h"

#ifndef DJ_VERSION
#define DJ_VERSION "0.1.0"
#endif

const char *dj_version(void)
{
	return DJ_VERSION;
}
