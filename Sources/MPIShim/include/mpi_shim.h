// The only Shoal code that includes <mpi.h> is mpi_shim.c. Swift cannot import MPI's handle
// macros (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM), so this header exposes plain C types only.
// Every function returns an MPI error code (0 = MPI_SUCCESS) and never aborts by itself:
// MPI_COMM_WORLD is switched to MPI_ERRORS_RETURN at init.
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SHOAL_FLOAT = 0,
    SHOAL_DOUBLE = 1,
    SHOAL_INT64 = 2,
    SHOAL_INT32 = 3,
} shoal_dtype;

typedef enum {
    SHOAL_SUM = 0,
    SHOAL_MAX = 1,
} shoal_op;

typedef enum {
    SHOAL_THREAD_SINGLE = 0,
    SHOAL_THREAD_FUNNELED = 1,
    SHOAL_THREAD_SERIALIZED = 2,
    SHOAL_THREAD_MULTIPLE = 3,
} shoal_thread_level;

/// Initialises MPI with the requested thread level; `provided` receives the level granted.
int shoal_mpi_init(int requested, int *provided);
int shoal_mpi_finalize(void);
/// 1 if MPI_Init has run (and MPI_Finalize has not), else 0.
int shoal_mpi_is_active(void);
int shoal_mpi_rank(int *rank);
int shoal_mpi_size(int *size);
/// In-place all-reduce on MPI_COMM_WORLD; counts above INT_MAX are split into chunks.
int shoal_mpi_allreduce(void *buffer, size_t count, shoal_dtype dtype, shoal_op op);
/// Non-blocking in-place all-reduce of at most INT_MAX elements; `request` identifies it.
int shoal_mpi_iallreduce(void *buffer, size_t count, shoal_dtype dtype, shoal_op op, void **request);
/// Waits for a request from shoal_mpi_iallreduce and frees it.
int shoal_mpi_wait(void **request);
int shoal_mpi_bcast(void *bytes, size_t count, int root);
/// Gathers `count` bytes from every rank into `recv` (size × count bytes), in rank order.
int shoal_mpi_allgather(const void *send, void *recv, size_t count);
/// Sends `send_count` elements to rank `destination` while receiving `receive_count` from rank
/// `source` (MPI_Sendrecv); counts above INT_MAX return MPI_ERR_COUNT.
int shoal_mpi_sendrecv(const void *send, size_t send_count, int destination, void *receive, size_t receive_count,
                       int source, shoal_dtype dtype, int tag);
int shoal_mpi_barrier(void);
double shoal_mpi_wtime(void);
/// Ends every process of the job with `code`; used when a rank cannot go on.
int shoal_mpi_abort(int code);
/// Writes the MPI library's text for `code` into `buffer` (NUL-terminated).
void shoal_mpi_error_string(int code, char *buffer, int length);
/// The MPI library's version string, e.g. "Open MPI v4.1.4 ...".
void shoal_mpi_library_version(char *buffer, int length);
/// The watchdog's side channel: a duplicate of MPI_COMM_WORLD that carries only heartbeats, sent
/// and received from the watchdog thread (needs MPI_THREAD_MULTIPLE). Opening and closing are
/// collective: every rank calls them at the same point.
int shoal_mpi_heartbeat_open(void);
/// Completes every send in flight first: call it once every rank has received all it was sent.
int shoal_mpi_heartbeat_close(void);
/// The largest heartbeat.
#define SHOAL_HEARTBEAT_BYTES 64
/// Starts sending a copy of `count` bytes to `destination` on the side channel, unless the
/// previous send to it is still in flight (a rank that stopped receiving); *sent is 1 if it did.
int shoal_mpi_heartbeat_send(const void *bytes, size_t count, int destination, int *sent);
/// Receives one waiting heartbeat of `count` bytes if there is one, from any rank (`source` < 0)
/// or from `source` (blocking until it arrives); *from is its sender, or -1 when none was waiting.
int shoal_mpi_heartbeat_receive(void *bytes, size_t count, int source, int *from);
/// Raw C loop for the benchmark: `iterations` in-place MPI_Allreduce calls of `count` elements
/// on MPI_COMM_WORLD, bracketed by barriers; `seconds` receives the mean time of one call.
int shoal_mpi_bench_allreduce(void *buffer, size_t count, shoal_dtype dtype, int iterations, double *seconds);
