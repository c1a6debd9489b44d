#ifndef SYNTOP_CLIBPQ_SHIM_H
#define SYNTOP_CLIBPQ_SHIM_H
/* <postgresql/...> so the build does not depend on libpq's .pc file being found. */
#include <postgresql/libpq-fe.h>
#endif
