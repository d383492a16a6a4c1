#include "mpi_shim.h"
