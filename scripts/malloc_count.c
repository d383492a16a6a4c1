// An LD_PRELOAD library that counts malloc/calloc/realloc/posix_memalign/aligned_alloc calls and
// prints the count at exit to the file in $MALLOC_COUNT_FILE (appending "pid count"). Used by
// scripts/count-step-mallocs.sh to check that a training step allocates nothing.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_long calls;
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);

// dlsym itself may calloc before real_calloc is known: serve it from a static buffer.
static char bootstrap[4096];
static size_t bootstrap_used;

static void resolve(void) {
    if (real_malloc) return;
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
}

void *malloc(size_t n) { resolve(); atomic_fetch_add(&calls, 1); return real_malloc(n); }
void *realloc(void *p, size_t n) { resolve(); atomic_fetch_add(&calls, 1); return real_realloc(p, n); }
int posix_memalign(void **p, size_t a, size_t n) { resolve(); atomic_fetch_add(&calls, 1); return real_posix_memalign(p, a, n); }
void *aligned_alloc(size_t a, size_t n) { resolve(); atomic_fetch_add(&calls, 1); return real_aligned_alloc(a, n); }
void *calloc(size_t k, size_t n) {
    if (!real_calloc) {
        if (bootstrap_used + k * n > sizeof bootstrap) return NULL;
        void *p = bootstrap + bootstrap_used;
        bootstrap_used += (k * n + 15) & ~(size_t)15;
        return p;  // static memory is already zero
    }
    atomic_fetch_add(&calls, 1);
    return real_calloc(k, n);
}
void free(void *p) {
    static void (*real_free)(void *);
    if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap) return;
    if (!real_free) real_free = dlsym(RTLD_NEXT, "free");
    real_free(p);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("MALLOC_COUNT_FILE");
    if (!path) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%d %ld\n", (int)getpid(), atomic_load(&calls));
    fclose(f);
}
