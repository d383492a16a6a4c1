#include "mpi_shim.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

static MPI_Datatype datatype(shoal_dtype d) {
    switch (d) {
    case SHOAL_FLOAT: return MPI_FLOAT;
    case SHOAL_DOUBLE: return MPI_DOUBLE;
    case SHOAL_INT64: return MPI_INT64_T;
    case SHOAL_INT32: return MPI_INT32_T;
    }
    return MPI_DATATYPE_NULL;
}

static size_t element_size(shoal_dtype d) {
    switch (d) {
    case SHOAL_FLOAT: return 4;
    case SHOAL_DOUBLE: return 8;
    case SHOAL_INT64: return 8;
    case SHOAL_INT32: return 4;
    }
    return 0;
}

static MPI_Op operation(shoal_op op) { return op == SHOAL_MAX ? MPI_MAX : MPI_SUM; }

int shoal_mpi_init(int requested, int *provided) {
    static const int levels[] = {MPI_THREAD_SINGLE, MPI_THREAD_FUNNELED, MPI_THREAD_SERIALIZED,
                                 MPI_THREAD_MULTIPLE};
    int got = MPI_THREAD_SINGLE;
    int rc = MPI_Init_thread(NULL, NULL, levels[requested & 3], &got);
    if (rc != MPI_SUCCESS) return rc;
    *provided = got == MPI_THREAD_MULTIPLE     ? SHOAL_THREAD_MULTIPLE
                : got == MPI_THREAD_SERIALIZED ? SHOAL_THREAD_SERIALIZED
                : got == MPI_THREAD_FUNNELED   ? SHOAL_THREAD_FUNNELED
                                               : SHOAL_THREAD_SINGLE;
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

int shoal_mpi_finalize(void) { return MPI_Finalize(); }

int shoal_mpi_is_active(void) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized && !finalized;
}

int shoal_mpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
int shoal_mpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

int shoal_mpi_allreduce(void *buffer, size_t count, shoal_dtype dtype, shoal_op op) {
    char *p = buffer;
    const size_t width = element_size(dtype);
    while (count > 0) {
        const int chunk = count > INT_MAX ? INT_MAX : (int)count;
        int rc = MPI_Allreduce(MPI_IN_PLACE, p, chunk, datatype(dtype), operation(op), MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
        p += (size_t)chunk * width;
        count -= (size_t)chunk;
    }
    return MPI_SUCCESS;
}

int shoal_mpi_iallreduce(void *buffer, size_t count, shoal_dtype dtype, shoal_op op, void **request) {
    if (count > INT_MAX) return MPI_ERR_COUNT;
    MPI_Request *r = malloc(sizeof(MPI_Request));
    if (r == NULL) return MPI_ERR_NO_MEM;
    int rc = MPI_Iallreduce(MPI_IN_PLACE, buffer, (int)count, datatype(dtype), operation(op),
                            MPI_COMM_WORLD, r);
    if (rc != MPI_SUCCESS) { free(r); return rc; }
    *request = r;
    return MPI_SUCCESS;
}

int shoal_mpi_wait(void **request) {
    MPI_Request *r = *request;
    int rc = MPI_Wait(r, MPI_STATUS_IGNORE);
    free(r);
    *request = NULL;
    return rc;
}

int shoal_mpi_bcast(void *bytes, size_t count, int root) {
    char *p = bytes;
    while (count > 0) {
        const int chunk = count > INT_MAX ? INT_MAX : (int)count;
        int rc = MPI_Bcast(p, chunk, MPI_BYTE, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
        p += chunk;
        count -= (size_t)chunk;
    }
    return MPI_SUCCESS;
}

int shoal_mpi_allgather(const void *send, void *recv, size_t count) {
    if (count > INT_MAX) return MPI_ERR_COUNT;
    return MPI_Allgather(send, (int)count, MPI_BYTE, recv, (int)count, MPI_BYTE, MPI_COMM_WORLD);
}

int shoal_mpi_sendrecv(const void *send, size_t send_count, int destination, void *receive, size_t receive_count,
                       int source, shoal_dtype dtype, int tag) {
    if (send_count > INT_MAX || receive_count > INT_MAX) return MPI_ERR_COUNT;
    return MPI_Sendrecv(send, (int)send_count, datatype(dtype), destination, tag, receive, (int)receive_count,
                        datatype(dtype), source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

int shoal_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
double shoal_mpi_wtime(void) { return MPI_Wtime(); }
int shoal_mpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }

void shoal_mpi_error_string(int code, char *buffer, int length) {
    char text[MPI_MAX_ERROR_STRING];
    int n = 0;
    if (MPI_Error_string(code, text, &n) != MPI_SUCCESS) n = 0;
    text[n < MPI_MAX_ERROR_STRING ? n : MPI_MAX_ERROR_STRING - 1] = '\0';
    strncpy(buffer, text, (size_t)length - 1);
    buffer[length - 1] = '\0';
}

void shoal_mpi_library_version(char *buffer, int length) {
    char text[MPI_MAX_LIBRARY_VERSION_STRING];
    int n = 0;
    if (MPI_Get_library_version(text, &n) != MPI_SUCCESS) n = 0;
    text[n < MPI_MAX_LIBRARY_VERSION_STRING ? n : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
    strncpy(buffer, text, (size_t)length - 1);
    buffer[length - 1] = '\0';
}

static MPI_Comm heartbeat_comm = MPI_COMM_NULL;
static MPI_Request *heartbeat_sends = NULL;  // (size): the send in flight to each rank
static unsigned char *heartbeat_buffers = NULL;  // (size × SHOAL_HEARTBEAT_BYTES): what it reads
static int heartbeat_ranks = 0;

int shoal_mpi_heartbeat_open(void) {
    int rc = MPI_Comm_dup(MPI_COMM_WORLD, &heartbeat_comm);
    if (rc == MPI_SUCCESS) rc = MPI_Comm_set_errhandler(heartbeat_comm, MPI_ERRORS_RETURN);
    if (rc == MPI_SUCCESS) rc = MPI_Comm_size(heartbeat_comm, &heartbeat_ranks);
    if (rc != MPI_SUCCESS) return rc;
    heartbeat_sends = malloc(sizeof(MPI_Request) * (size_t)heartbeat_ranks);
    heartbeat_buffers = malloc(SHOAL_HEARTBEAT_BYTES * (size_t)heartbeat_ranks);
    if (heartbeat_sends == NULL || heartbeat_buffers == NULL) return MPI_ERR_NO_MEM;
    for (int r = 0; r < heartbeat_ranks; r++) heartbeat_sends[r] = MPI_REQUEST_NULL;
    return MPI_SUCCESS;
}

int shoal_mpi_heartbeat_close(void) {
    if (heartbeat_comm == MPI_COMM_NULL) return MPI_SUCCESS;
    int rc = MPI_Waitall(heartbeat_ranks, heartbeat_sends, MPI_STATUSES_IGNORE);
    free(heartbeat_sends);
    free(heartbeat_buffers);
    heartbeat_sends = NULL;
    heartbeat_buffers = NULL;
    if (rc != MPI_SUCCESS) return rc;
    return MPI_Comm_free(&heartbeat_comm);
}

int shoal_mpi_heartbeat_send(const void *bytes, size_t count, int destination, int *sent) {
    *sent = 0;
    if (count > SHOAL_HEARTBEAT_BYTES || destination < 0 || destination >= heartbeat_ranks) return MPI_ERR_ARG;
    int done = 0;  // a null request (nothing sent yet) tests as done
    int rc = MPI_Test(&heartbeat_sends[destination], &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS || !done) return rc;
    unsigned char *copy = heartbeat_buffers + (size_t)destination * SHOAL_HEARTBEAT_BYTES;
    memcpy(copy, bytes, count);
    rc = MPI_Isend(copy, (int)count, MPI_BYTE, destination, 0, heartbeat_comm, &heartbeat_sends[destination]);
    if (rc == MPI_SUCCESS) *sent = 1;
    return rc;
}

int shoal_mpi_heartbeat_receive(void *bytes, size_t count, int source, int *from) {
    if (count > INT_MAX) return MPI_ERR_COUNT;
    MPI_Status status;
    *from = -1;
    if (source < 0) {
        int waiting = 0;
        int rc = MPI_Iprobe(MPI_ANY_SOURCE, 0, heartbeat_comm, &waiting, &status);
        if (rc != MPI_SUCCESS || !waiting) return rc;
        source = status.MPI_SOURCE;
    }
    int rc = MPI_Recv(bytes, (int)count, MPI_BYTE, source, 0, heartbeat_comm, &status);
    if (rc == MPI_SUCCESS) *from = status.MPI_SOURCE;
    return rc;
}

int shoal_mpi_bench_allreduce(void *buffer, size_t count, shoal_dtype dtype, int iterations, double *seconds) {
    if (count > INT_MAX || iterations < 1) return MPI_ERR_COUNT;
    int rc = MPI_Barrier(MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) return rc;
    const double start = MPI_Wtime();
    for (int i = 0; i < iterations; i++) {
        rc = MPI_Allreduce(MPI_IN_PLACE, buffer, (int)count, datatype(dtype), operation(SHOAL_SUM), MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    const double elapsed = MPI_Wtime() - start;
    *seconds = elapsed / iterations;
    return MPI_SUCCESS;
}
