/* calling.c -- the thread-local record of the plugin function under way
 * (registry/calling.h). */
#include "registry/calling.h"

_Thread_local mlp_plugin_call mlp_calling;
