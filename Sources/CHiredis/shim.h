#ifndef SYNTOP_CHIREDIS_SHIM_H
#define SYNTOP_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
